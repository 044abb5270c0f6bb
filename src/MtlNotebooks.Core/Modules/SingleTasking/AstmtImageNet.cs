using MtlNotebooks.Weights;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>ASTMT's ImageNet initialisation of its task-aware SE-ResNet encoder, as the official code's
/// <c>load_pretrained</c> does it: every layer takes the ImageNet layer of its name, and every task's copy of an SE
/// block or batch norm (<c>layer1.0.se.fc.semseg.0</c>, <c>layer1.0.bn1.semseg</c>) starts from the one shared ImageNet
/// layer (<c>layer1.0.se.fc.0</c>, <c>layer1.0.bn1</c>). Residual adapters keep their zero initialisation (the paper's
/// §3.3: the network starts as the ImageNet one), the decoder its own.</summary>
public static class AstmtImageNet
{
    /// <summary>The ImageNet key each of <paramref name="keys"/> starts from (absent: not from ImageNet).</summary>
    public static IReadOnlyDictionary<string, string> Sources(IEnumerable<string> keys, IReadOnlyList<string> tasks, IReadOnlySet<string> imagenet)
    {
        var pairs = new Dictionary<string, string>();
        foreach (var key in keys)
        {
            if (key.EndsWith(".num_batches_tracked", StringComparison.Ordinal)) continue;
            var segments = key.Split('.').Where(s => !tasks.Contains(s));
            var source = string.Join('.', segments).Replace(".downsample.process.", ".downsample.0.").Replace(".downsample.norm.", ".downsample.1.");
            if (imagenet.Contains(source)) pairs[key] = source;
        }
        return pairs;
    }

    /// <summary>Loads the ImageNet SE-ResNet file <paramref name="path"/> (the ASTMT code's <c>model_state</c>
    /// checkpoints, DataParallel prefix and all, or any state dict with its names) into <paramref name="module"/>'s
    /// encoder; throws listing every ImageNet layer that found no place and every encoder layer left without one.</summary>
    public static void Load(AstmtModule module, string path, string owner)
    {
        using var loaded = StateDictFile.Read(path);
        var imagenet = loaded.Tensors.Keys.ToHashSet();
        var ours = module.state_dict();
        var sources = Sources(ours.Keys, module.Tasks, imagenet);
        var problems = new List<string>();
        var unused = imagenet.Except(sources.Values)
            .Where(k => !k.StartsWith("fc.", StringComparison.Ordinal) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToArray();
        var unset = ours.Keys.Where(k => IsEncoder(k) && !sources.ContainsKey(k) && !k.Contains(".adapt.")
                                         && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToArray();
        if (unused.Length > 0) problems.Add($"ImageNet layers with no place in the encoder ({unused.Length}): {string.Join(", ", unused.Take(12))}{(unused.Length > 12 ? ", …" : "")}");
        if (unset.Length > 0) problems.Add($"encoder layers the file does not initialise ({unset.Length}): {string.Join(", ", unset.Take(12))}{(unset.Length > 12 ? ", …" : "")}");
        foreach (var (key, source) in sources)
            if (!loaded.Tensors[source].shape.SequenceEqual(ours[key].shape))
                problems.Add($"wrong shape: {key} is [{string.Join(", ", ours[key].shape)}], ImageNet's {source} [{string.Join(", ", loaded.Tensors[source].shape)}]");
        if (problems.Count > 0)
            throw new InvalidDataException($"{owner}: '{path}' ({loaded.Describe()}) is not the ImageNet SE-ResNet of this encoder:{Environment.NewLine}  " +
                                           string.Join(Environment.NewLine + "  ", problems.Take(14)));
        using (no_grad())
            foreach (var (key, source) in sources)
                ours[key].copy_(loaded.Tensors[source]);
    }

    private static bool IsEncoder(string key) =>
        key.StartsWith("conv1.", StringComparison.Ordinal) || key.StartsWith("bn1.", StringComparison.Ordinal) ||
        key.StartsWith("layer", StringComparison.Ordinal);
}
