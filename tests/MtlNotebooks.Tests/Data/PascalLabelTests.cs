using MtlNotebooks.Data;

namespace MtlNotebooks.Tests.Data;

/// <summary>The labels the references derive from PASCAL-Context's MATLAB files, against outputs of the Python tools
/// they use (expected arrays printed by skimage 0.19.3's morphology.thin).</summary>
public sealed class PascalLabelTests
{
    private static bool[] Grid(int[][] rows) => rows.SelectMany(r => r.Select(v => v != 0)).ToArray();

    [Fact]
    public void Thin_ShapesAndBorders_MatchesSkimage()
    {
        int[][] image =
        [
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], [0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0], [0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0],
            [0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0], [0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0], [0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0],
            [0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0], [0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        ];
        int[][] thinned =
        [
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0], [0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0], [0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0],
            [0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0], [0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        ];
        var pixels = Grid(image);
        PascalLabels.Thin(pixels, 9, 12);
        Assert.Equal(Grid(thinned), pixels);
    }

    [Fact]
    public void Thin_RandomPattern_MatchesSkimage()
    {
        int[][] image =
        [
            [1, 1, 1, 1, 1, 1, 1, 1], [1, 0, 1, 1, 1, 1, 0, 0], [0, 1, 1, 1, 1, 1, 1, 1], [0, 1, 0, 1, 1, 1, 0, 1],
            [1, 1, 0, 1, 1, 1, 1, 1], [0, 1, 1, 0, 1, 1, 0, 0], [0, 0, 1, 1, 1, 0, 0, 0], [1, 0, 1, 0, 0, 0, 1, 0],
        ];
        int[][] thinned =
        [
            [0, 1, 0, 0, 0, 0, 1, 1], [1, 0, 1, 0, 0, 1, 0, 0], [0, 1, 1, 1, 1, 1, 1, 0], [0, 1, 0, 0, 1, 1, 0, 1],
            [1, 0, 0, 1, 1, 1, 1, 0], [0, 1, 1, 0, 1, 0, 0, 0], [0, 0, 0, 1, 0, 0, 0, 0], [1, 0, 1, 0, 0, 0, 1, 0],
        ];
        var pixels = Grid(image);
        PascalLabels.Thin(pixels, 8, 8);
        Assert.Equal(Grid(thinned), pixels);
    }

    [Fact]
    public void Edges_TwoClassLabelMap_MatchesLaplacianThenSkimageThin()
    {
        // Left half class 284, right half 360: the Laplacian fires on columns 4 and 5; skimage thins that to column 4, rows 1-5.
        var labels = Enumerable.Range(0, 60).Select(p => p % 10 < 5 ? 284f : 360f).ToArray();
        var edges = PascalLabels.Edges(labels, 6, 10);
        Assert.Equal(Enumerable.Range(0, 60).Select(p => p % 10 == 4 && p / 10 >= 1 ? 1f : 0f), edges);
    }

    [Fact]
    public void MatFile_CompressedAndPlainVariables_RoundTrip()
    {
        var folder = Directory.CreateTempSubdirectory("mtl-mat-").FullName;
        try
        {
            var path = Path.Combine(folder, "a.mat");
            MatWriter.Write(path, compress: false, ("LabelMap", MatWriter.Matrix([1, 2, 3, 4, 5, 6], 2, 3)), ("name", MatWriter.Text("2008_000001")));
            var (values, rows, columns) = MatFile.ReadMatrix(path, "LabelMap");
            Assert.Equal((2, 3), (rows, columns));
            Assert.Equal([1f, 2, 3, 4, 5, 6], values);
            Assert.Equal("2008_000001", ((MatChar)MatFile.Read(path)["name"]).Text);
            var packed = Path.Combine(folder, "b.mat");
            MatWriter.Write(packed, compress: true, ("s", MatWriter.Structs(["a", "b"], [MatWriter.Text("x"), MatWriter.Matrix([7], 1, 1)])));
            var s = (MatStruct)MatFile.Read(packed)["s"];
            Assert.Equal(["a", "b"], s.Fields);
            Assert.Equal(7.0, ((MatNumeric)s[0, "b"]).Data[0]);
            var missing = Assert.Throws<DataSetException>(() => MatFile.ReadMatrix(path, "Labels"));
            Assert.Contains("has no variable 'Labels'; it holds LabelMap, name", missing.Message);
            File.WriteAllBytes(packed, new byte[200]);
            Assert.Contains("not a little-endian MATLAB 5 MAT-file", Assert.Throws<DataSetException>(() => MatFile.Read(packed)).Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
