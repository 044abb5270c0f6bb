using MtlNotebooks.Weights;

namespace MtlNotebooks.Cli;

/// <summary>For <c>weights inspect</c>: the ASTMT network (Table 3's rows on SE-ResNet-26/50/101 or MobileNet-V2, PASCAL's
/// or NYUD's tasks) whose state dict a file is, under the ASTMT code's names. The encoder and the tasks are read from the
/// keys, so only that encoder's rows are built.</summary>
internal static class AstmtModelFit
{
    private static readonly string[] PascalTasks = ["edge", "semseg", "human_parts", "normals", "sal"];
    private static readonly string[] NyudTasks = ["edge", "semseg", "normals", "depth"];

    /// <summary>"Fits …" naming the row, the encoder and the tasks; null when the file is no ASTMT network.</summary>
    public static string? Find(IReadOnlyDictionary<string, long[]> shapes)
    {
        if (!shapes.Keys.Any(k => k.StartsWith("decoder.", StringComparison.Ordinal)) || Encoder(shapes) is not var (encoderName, backbone)) return null;
        var segments = shapes.Keys.SelectMany(k => k.Split('.')).ToHashSet();
        var nyud = segments.Contains("depth");
        var tasks = (nyud ? NyudTasks : PascalTasks).Where(segments.Contains).ToArray();
        if (tasks.Length == 0) return null;
        foreach (var (row, spec) in Architectures.AstmtTable3.Where(r => r.Value.SingleTask == (tasks.Length == 1)))
        {
            var builder = MultiTaskNet.CreateBuilder().UseBackbone(backbone).UseArchitecture(spec);
            foreach (var task in tasks) builder = builder.AddTask(Task(task, nyud));
            MultiTaskModel built;
            try
            {
                built = builder.Build();
            }
            catch (BuildException)   // a row this encoder does not have (MobileNet-V2 has no residual adapters)
            {
                continue;
            }
            using var _ = built;
            var ours = built.Network.state_dict().ToDictionary(t => t.Key, t => t.Value.shape);
            if (built.Network is IReferenceKeys { ReferenceKeys: var map })
                ours = ours.SelectMany(t => map.AliasesOf(map.ToReference(t.Key)).Prepend(map.ToReference(t.Key)).Select(k => (k, t.Value))).ToDictionary(t => t.k, t => t.Value);
            if (SameKeys(ours, shapes))
                return $"Fits ASTMT's {row} on {encoderName} for {(nyud ? "NYUD" : "PASCAL")}'s {string.Join(", ", tasks)} " +
                       $"(Architectures.AstmtTable3[\"{row}\"], {built.Network.ParameterCount():N0} parameters); load it with net.LoadWeights(file).";
        }
        return null;
    }

    /// <summary>Equal keys and shapes; num_batches_tracked may be absent on either side.</summary>
    internal static bool SameKeys(IReadOnlyDictionary<string, long[]> keys, IReadOnlyDictionary<string, long[]> shapes) =>
        keys.Count(k => !k.Key.EndsWith(".num_batches_tracked", StringComparison.Ordinal)) == shapes.Count(k => !k.Key.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
        && keys.All(k => shapes.TryGetValue(k.Key, out var shape) ? shape.SequenceEqual(k.Value) : k.Key.EndsWith(".num_batches_tracked", StringComparison.Ordinal));

    /// <summary>MobileNet-V2 when the encoder is <c>features.*</c>; an SE-ResNet by its third stage's blocks (2, 6 or 23).</summary>
    private static (string, IBackbone)? Encoder(IReadOnlyDictionary<string, long[]> shapes)
    {
        if (shapes.ContainsKey("features.0.conv.0.weight")) return ("MobileNet-V2", Backbones.MobileNetV2());
        var blocks = shapes.Keys.Where(k => k.StartsWith("layer3.", StringComparison.Ordinal))
            .Select(k => int.TryParse(k.Split('.')[1], out var i) ? i + 1 : 0).DefaultIfEmpty(0).Max();
        return blocks switch
        {
            2 => ("SE-ResNet-26", Backbones.SEResNet26()),
            6 => ("SE-ResNet-50", Backbones.SEResNet50()),
            23 => ("SE-ResNet-101", Backbones.SEResNet101()),
            _ => null,
        };
    }

    private static IDenseTask Task(string name, bool nyud) => name switch
    {
        "edge" => DenseTasks.Edges(),
        "semseg" => DenseTasks.SemanticSegmentation(nyud ? 41 : 21),
        "human_parts" => DenseTasks.HumanParts(7),
        "normals" => DenseTasks.SurfaceNormals(),
        "sal" => DenseTasks.Saliency(),
        _ => DenseTasks.Depth(),
    };
}
