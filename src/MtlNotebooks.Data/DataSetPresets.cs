using MtlNotebooks.Balancing;
using MtlNotebooks.Data.Synthetic;

namespace MtlNotebooks;

/// <summary>The papers' data set setups (ASTMT appendix, MTI-Net §3 and its code) and their synthetic stand-ins.</summary>
public static class DataSetPresets
{
    /// <summary>NYUD-v2 (795 train / 654 test, 480×640): semseg (40 classes), depth, normals, edges; loss weights
    /// semseg 1, depth 1, normals 10, edge 50 (MTI-Net code).</summary>
    public static DataSetPreset Nyud { get; } = new(
        "nyud", "NYUD-v2 (MTI-Net / ASTMT layout)",
        [DenseTasks.SemanticSegmentation(40), DenseTasks.Depth(), DenseTasks.SurfaceNormals(), DenseTasks.Edges()],
        [("semseg", 1), ("depth", 1), ("normals", 10), ("edge", 50)],
        480, 640, 795, 654, "nyud-v2.json");

    /// <summary>PASCAL-Context as the multi-task papers use it (4,998 train / 5,105 val, trained at 512×512): semseg
    /// (21 classes), human parts (7), saliency, normals, edges; loss weights semseg 1, parts 2, saliency 5, edge 50,
    /// normals 10 (ASTMT appendix, MTI-Net code).</summary>
    public static DataSetPreset Pascal { get; } = new(
        "pascal", "PASCAL-Context (ASTMT / MTI-Net PASCAL_MT layout)",
        [DenseTasks.SemanticSegmentation(21), DenseTasks.HumanParts(7), DenseTasks.Saliency(), DenseTasks.SurfaceNormals(), DenseTasks.Edges()],
        [("semseg", 1), ("human_parts", 2), ("sal", 5), ("normals", 10), ("edge", 50)],
        512, 512, 4998, 5105, "pascal-context.json");

    /// <summary>The quick run's default: semseg, depth and normals on synthetic scenes with uniform weights.</summary>
    public static DataSetPreset Synthetic { get; } = new(
        "synthetic", "Synthetic scenes: semseg, depth, normals",
        [DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount), DenseTasks.Depth(), DenseTasks.SurfaceNormals()],
        [], 64, 64, 512, 128, null);

    /// <summary>NYUD's task set and loss weights on synthetic scenes.</summary>
    public static DataSetPreset SyntheticNyud { get; } = new(
        "synthetic-nyud", "Synthetic scenes with NYUD-v2's tasks and loss weights",
        [DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount), DenseTasks.Depth(), DenseTasks.SurfaceNormals(), DenseTasks.Edges()],
        Nyud.Weights, 64, 64, 512, 128, null);

    /// <summary>PASCAL-Context's task set and loss weights on synthetic scenes.</summary>
    public static DataSetPreset SyntheticPascal { get; } = new(
        "synthetic-pascal", "Synthetic scenes with PASCAL-Context's tasks and loss weights",
        [DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount), DenseTasks.HumanParts(SyntheticScenes.HumanPartCount),
         DenseTasks.Saliency(), DenseTasks.SurfaceNormals(), DenseTasks.Edges()],
        Pascal.Weights, 64, 64, 512, 128, null);

    /// <summary>Every preset, by <see cref="DataSetPreset.Name"/>.</summary>
    public static IReadOnlyList<DataSetPreset> All { get; } = [Synthetic, SyntheticNyud, SyntheticPascal, Nyud, Pascal];

    /// <summary>The preset named <paramref name="name"/>; the message lists the known names.</summary>
    public static DataSetPreset Get(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown data set '{name}'; known: {string.Join(", ", All.Select(p => p.Name))}.", nameof(name));
}
