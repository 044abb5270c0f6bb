using MtlNotebooks.Weights;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>ASTMT's ImageNet initialisation of its task-aware SE-ResNet or SE-MobileNet-V2 encoder, as the official code's
/// <c>load_pretrained</c> does it: every layer takes the ImageNet layer of its name, and every task's copy of an SE
/// block or batch norm (<c>layer1.0.se.fc.semseg.0</c>, <c>layer1.0.bn1.semseg</c>) starts from the one shared ImageNet
/// layer (<c>layer1.0.se.fc.0</c>, <c>layer1.0.bn1</c>). Residual adapters keep their zero initialisation (the paper's
/// §3.3: the network starts as the ImageNet one), the decoder its own.</summary>
public static class AstmtImageNet
{
    /// <summary>The ImageNet key each of <paramref name="keys"/> starts from (absent: not from ImageNet).</summary>
    /// <param name="keys">The ASTMT network's state-dict keys.</param>
    /// <param name="tasks">Its tasks: a task's name in a key marks that task's copy of a layer.</param>
    /// <param name="imagenet">The ImageNet file's keys.</param>
    /// <param name="mobileNet">The SE-MobileNet-V2 encoder: its blocks name conv1..3/bn1..3 what the ImageNet network's
    /// Sequential numbers 0, 1, 3, 4, 6, 7, and its stem drops a <c>.conv</c> (the official code's renaming).</param>
    public static IReadOnlyDictionary<string, string> Sources(IEnumerable<string> keys, IReadOnlyList<string> tasks, IReadOnlySet<string> imagenet,
        bool mobileNet = false)
    {
        var pairs = new Dictionary<string, string>();
        foreach (var key in keys)
        {
            if (key.EndsWith(".num_batches_tracked", StringComparison.Ordinal)) continue;
            var source = string.Join('.', key.Split('.').Where(s => !tasks.Contains(s)));
            source = mobileNet ? MobileNetName(source, imagenet)
                : source.Replace(".downsample.process.", ".downsample.0.").Replace(".downsample.norm.", ".downsample.1.");
            if (imagenet.Contains(source)) pairs[key] = source;
        }
        return pairs;
    }

    private static readonly (string Ours, string Theirs)[] MobileNetLayers =
        [(".conv1.", ".0."), (".bn1.", ".1."), (".conv2.", ".3."), (".bn2.", ".4."), (".conv3.", ".6."), (".bn3.", ".7.")];

    /// <summary>The official load_pretrained's first matching rule: the same name, the stem without <c>.conv</c>, or the
    /// block's Sequential index (the decoder and the discriminator take nothing from ImageNet).</summary>
    private static string MobileNetName(string key, IReadOnlySet<string> imagenet)
    {
        if (key.StartsWith("decoder", StringComparison.Ordinal) || key.StartsWith("discriminator", StringComparison.Ordinal) || imagenet.Contains(key)) return key;
        if (key.Contains("features.0")) return key.Replace(".conv", "");
        foreach (var (ours, theirs) in MobileNetLayers)
            if (key.Contains(ours, StringComparison.Ordinal)) return key.Replace(ours, theirs);
        return key;
    }

    /// <summary>Loads the ImageNet SE-ResNet (or SE-MobileNet-V2) file <paramref name="path"/> (the ASTMT code's <c>model_state</c>
    /// checkpoints, DataParallel prefix and all, or any state dict with its names) into <paramref name="module"/>'s
    /// encoder; throws naming the ImageNet layers that found no place and the encoder layers left without one (the first
    /// 12 of each, with their counts) and wrong shapes.</summary>
    public static void Load(AstmtModule module, string path, string owner, bool mobileNet = false)
    {
        using var loaded = StateDictFile.Read(path);
        var imagenet = loaded.Tensors.Keys.ToHashSet();
        var ours = module.state_dict();
        var sources = Sources(ours.Keys, module.Tasks, imagenet, mobileNet);
        var problems = new List<string>();
        // The classifier has no place in a dense network; ASTMT's MobileNet drops the last 1x1 conv (features.18).
        var unused = imagenet.Except(sources.Values)
            .Where(k => !k.StartsWith("fc.", StringComparison.Ordinal) && !k.StartsWith("classifier.", StringComparison.Ordinal)
                        && !(mobileNet && k.StartsWith("features.18.", StringComparison.Ordinal))
                        && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToArray();
        var unset = ours.Keys.Where(k => IsEncoder(k) && !sources.ContainsKey(k) && !k.Contains(".adapt.")
                                         && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToArray();
        if (unused.Length > 0) problems.Add($"ImageNet layers with no place in the encoder ({unused.Length}): {string.Join(", ", unused.Take(12))}{(unused.Length > 12 ? ", …" : "")}");
        if (unset.Length > 0) problems.Add($"encoder layers the file does not initialise ({unset.Length}): {string.Join(", ", unset.Take(12))}{(unset.Length > 12 ? ", …" : "")}");
        foreach (var (key, source) in sources)
            if (!loaded.Tensors[source].shape.SequenceEqual(ours[key].shape))
                problems.Add($"wrong shape: {key} is [{string.Join(", ", ours[key].shape)}], ImageNet's {source} [{string.Join(", ", loaded.Tensors[source].shape)}]");
        if (problems.Count > 0)
            throw new InvalidDataException($"{owner}: '{path}' ({loaded.Describe()}) is not the ImageNet {(mobileNet ? "SE-MobileNet-V2" : "SE-ResNet")} of this encoder:{Environment.NewLine}  " +
                                           string.Join(Environment.NewLine + "  ", problems.Take(14)));
        using (no_grad())
            foreach (var (key, source) in sources)
                ours[key].copy_(loaded.Tensors[source]);
    }

    private static bool IsEncoder(string key) =>
        key.StartsWith("conv1.", StringComparison.Ordinal) || key.StartsWith("bn1.", StringComparison.Ordinal) ||
        key.StartsWith("layer", StringComparison.Ordinal) || key.StartsWith("features.", StringComparison.Ordinal);
}
