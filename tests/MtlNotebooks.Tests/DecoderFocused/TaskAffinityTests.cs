using MtlNotebooks.Analysis;
using MtlNotebooks.Data;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.DecoderFocused;

[Collection("Torch")]
public sealed class TaskAffinityTests
{
    /// <summary>One 6x6 scene: semseg and depth split at the same vertical line; edges mark a horizontal line instead.</summary>
    private sealed class TinyScene : IMultiTaskDataset
    {
        public string Name => "tiny";
        public int Count => 1;
        public int Height => 6;
        public int Width => 6;
        public IReadOnlyList<string> Tasks => ["semseg", "depth", "edge"];

        public MultiTaskBatch GetBatch(IReadOnlyList<int> indices)
        {
            var semseg = zeros(1, 6, 6, ScalarType.Int64);
            semseg[.., .., 3..] = 1;
            var depth = ones(1, 1, 6, 6);
            depth[.., .., .., 3..] = 2;
            var edge = zeros(1, 1, 6, 6);
            edge[.., .., 2, ..] = 1;
            return new MultiTaskBatch(zeros(1, 3, 6, 6), new TaskLabels([new("semseg", semseg), new("depth", depth), new("edge", edge)]));
        }
    }

    [Fact]
    public void AcrossDilations_SameBoundaries_CorrespondPerfectly_DifferentOnesNot()
    {
        var table = TaskAffinity.AcrossDilations(new TinyScene(), ["semseg", "depth", "edge"], [1, 2]);
        Assert.Equal(6, table.Rows.Count);
        double Value(int dilation, string pair) =>
            table.Rows.Where(r => (int)r[0] == dilation && (string)r[1] == pair).Select(r => (double)r[2]).Single();
        Assert.Equal(1.0, Value(1, "semseg – depth"), 9);
        Assert.Equal(1.0, Value(2, "semseg – depth"), 9);
        // Semseg changes across the vertical line, edges across the horizontal one: they share only diagonal pairs crossing both.
        Assert.InRange(Value(1, "semseg – edge"), 0.05, 0.5);
    }

    [Fact]
    public void AcrossDilations_UnknownTask_NamesIt()
    {
        var error = Assert.Throws<ArgumentException>(() => TaskAffinity.AcrossDilations(new TinyScene(), ["semseg", "normals"], [1]));
        Assert.Contains("'normals'", error.Message);
    }
}
