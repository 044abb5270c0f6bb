using MtlNotebooks.Tasks;

namespace MtlNotebooks;

/// <summary>The dense prediction tasks of the papers (ASTMT appendix, MTI-Net §3, survey §4). Task names are the
/// keys of outputs, labels and losses, and match the label names of the data sets ("semseg", "depth", "normals").</summary>
public static class DenseTasks
{
    /// <summary>The class count of <see cref="SemanticSegmentation"/> when none is given: a small label set, the size of
    /// the tutorials' synthetic scenes (a test keeps the two equal). Data sets pass their own count (NYUD-v2: 40,
    /// PASCAL-Context: 21; the presets in <c>DataSetPresets</c>), so the task factory knows no data set.</summary>
    public const int DefaultSemanticClasses = 5;

    /// <summary>Semantic segmentation with <paramref name="classes"/> classes (NYUD-v2: 40, PASCAL-Context: 21).</summary>
    public static SemanticSegmentation SemanticSegmentation(int classes = DefaultSemanticClasses, int ignoreIndex = 255) =>
        new(classes, ignoreIndex);

    public static Depth Depth() => new();

    public static SurfaceNormals SurfaceNormals() => new();

    /// <summary>Human part segmentation with <paramref name="parts"/> classes including background (PASCAL-Context: 7;
    /// the synthetic presets pass their scenes' count).</summary>
    public static HumanParts HumanParts(int parts = 7, int ignoreIndex = 255) => new(parts, ignoreIndex);

    /// <summary>Saliency; <paramref name="balanced"/> weighs the BCE by the label's positive fraction (the references).</summary>
    public static Saliency Saliency(bool balanced = true) => new(balanced);

    /// <summary>Edge detection with BCE positive weight <paramref name="positiveWeight"/> (ASTMT appendix: 0.95) and odsF
    /// at tolerance <paramref name="maxDistance"/> × the diagonal (BSDS: 0.0075).</summary>
    public static Edges Edges(double positiveWeight = 0.95, double maxDistance = 0.0075) => new(positiveWeight, maxDistance);

    /// <summary>Every built-in task with its defaults (for contract tests and the CLI).</summary>
    public static IReadOnlyDictionary<string, IDenseTask> All { get; } = new Dictionary<string, IDenseTask>
    {
        ["semantic-segmentation"] = SemanticSegmentation(),
        ["depth"] = Depth(),
        ["surface-normals"] = SurfaceNormals(),
        ["human-parts"] = HumanParts(),
        ["saliency"] = Saliency(),
        ["edges"] = Edges(),
    };
}
