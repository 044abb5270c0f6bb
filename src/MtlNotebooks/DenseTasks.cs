using MtlNotebooks.Tasks;

namespace MtlNotebooks;

/// <summary>The dense prediction tasks of the papers (ASTMT appendix, MTI-Net §3, survey §4). Task names are the
/// keys of outputs, labels and losses, and match the label names of the data sets ("semseg", "depth", "normals").</summary>
public static class DenseTasks
{
    /// <summary>Semantic segmentation with <paramref name="classes"/> classes (NYUD-v2: 40, PASCAL-Context: 21,
    /// synthetic: <see cref="Data.Synthetic.SyntheticScenes.SemanticClasses"/>).</summary>
    public static SemanticSegmentation SemanticSegmentation(int classes = Data.Synthetic.SyntheticScenes.SemanticClassCount, int ignoreIndex = 255) =>
        new(classes, ignoreIndex);

    public static Depth Depth() => new();

    public static SurfaceNormals SurfaceNormals() => new();
}
