using MtlNotebooks.Data;

namespace MtlNotebooks.Tests.Data;

/// <summary>Every kind of bad input is an error that names the file and says what is wrong.</summary>
[Collection("Torch")]
public sealed class BadDataTests
{
    private static DataSetException LoadFails(DataFixture fixture)
    {
        var data = ManifestDataset.Open(fixture.Manifest, fixture.Root, "train", new LoaderOptions { Height = fixture.Height, Width = fixture.Width });
        return Assert.Throws<DataSetException>(() => data.GetBatch([0, 1]));
    }

    private static string PathOf(DataFixture fixture, string folder, string file) => Path.Combine(fixture.Root, folder, file);

    [Fact]
    public void GetBatch_MissingDepthFile_NamesTheFile()
    {
        using var fixture = DataFixture.Nyud();
        var path = PathOf(fixture, "depth", "0001.npy");
        File.Delete(path);
        var error = LoadFails(fixture);
        Assert.Equal(path, error.FilePath);
        Assert.Contains("is missing", error.Message);
    }

    [Fact]
    public void GetBatch_UnreadableImage_NamesTheFile()
    {
        using var fixture = DataFixture.Nyud();
        var path = PathOf(fixture, "images", "0000.jpg");
        File.WriteAllText(path, "not a jpeg");
        var error = LoadFails(fixture);
        Assert.Equal(path, error.FilePath);
        Assert.Contains("not a readable image", error.Message);
    }

    [Fact]
    public void GetBatch_LabelOfWrongSize_SaysBothSizes()
    {
        using var fixture = DataFixture.Nyud();
        var path = PathOf(fixture, "segmentation", "0001.png");
        ImageIO.WritePng(path, new byte[8 * 10], 8, 10, 1);
        var error = LoadFails(fixture);
        Assert.Equal(path, error.FilePath);
        Assert.Contains("is 8x10 but its image", error.Message);
        Assert.Contains("is 8x12", error.Message);
    }

    [Fact]
    public void GetBatch_ClassOutOfRange_NamesValueAndPixel()
    {
        using var fixture = DataFixture.Nyud();
        var path = PathOf(fixture, "segmentation", "0000.png");
        var values = new byte[8 * 12];
        values[13] = 45;                                       // 45 − 1 = 44 ≥ 40 classes
        ImageIO.WritePng(path, values, 8, 12, 1);
        var error = LoadFails(fixture);
        Assert.Equal(path, error.FilePath);
        Assert.Contains("has value 45 at row 1, column 1", error.Message);
        Assert.Contains("40 classes", error.Message);
    }

    [Fact]
    public void GetBatch_NormalsNotUnitLength_NamesPixelAndLength()
    {
        using var fixture = DataFixture.Nyud();
        var path = PathOf(fixture, "normals", "0001.npy");
        var normals = new float[8 * 12 * 3];
        for (int p = 0; p < 8 * 12; p++) normals[3 * p + 2] = 1;
        normals[3 * 5] = 0.5f;
        normals[3 * 5 + 2] = 0;                                  // (0.5, 0, 0) at row 0, column 5
        NpyFile.Write(path, normals, 8, 12, 3);
        var error = LoadFails(fixture);
        Assert.Equal(path, error.FilePath);
        Assert.Contains("normal of length 0.5 at row 0, column 5", error.Message);
    }

    [Fact]
    public void GetBatch_NpyWithWrongShape_SaysExpectedShape()
    {
        using var fixture = DataFixture.Nyud();
        var path = PathOf(fixture, "edge", "0000.npy");
        NpyFile.Write(path, new float[8 * 12 * 2], 8, 12, 2);
        var error = LoadFails(fixture);
        Assert.Contains("has shape (8, 12, 2); expected (H, W)", error.Message);
    }

    /// <summary>Exit code and everything printed (errors included).</summary>
    private static (int Exit, string Output) Cli(params string[] args)
    {
        var (exit, output, error) = CliOutput.Run(args);
        return (exit, output + error);
    }

    [Fact]
    public void DataVerify_ValidFixture_ReportsOk()
    {
        using var fixture = DataFixture.Nyud();
        var (exit, output) = Cli("data", "verify", fixture.Root, "--dataset", "nyud", "--manifest", fixture.ManifestPath, "--full");
        Assert.True(exit == 0, output);
        Assert.Contains("NYUD-v2 at " + fixture.Root + ": OK.", output);
        Assert.Contains("train: 3 ids", output);
    }

    [Fact]
    public void DataVerify_AgainstTheRealManifest_ReportsCountsSizesAndMissingFiles()
    {
        using var fixture = DataFixture.Nyud();
        var missing = Path.Combine(fixture.Root, "normals", "0002.npy");
        File.Delete(missing);
        File.WriteAllText(Path.Combine(fixture.Root, "images", "0004.jpg"), "garbage");
        var (exit, output) = Cli("data", "verify", fixture.Root, "--dataset", "nyud");
        Assert.Equal(1, exit);
        Assert.Contains("gt_sets/train.txt: lists 3 ids; NYUD-v2 'train' has 795.", output.Replace('\\', '/'));
        Assert.Contains("is 8x12; NYUD-v2 images are 480x640.", output);
        Assert.Contains(missing + ": is missing (label 'normals')", output);
        Assert.Contains(Path.Combine(fixture.Root, "images", "0004.jpg") + ": is not a readable image", output);
    }

    [Fact]
    public void DataVerify_Full_FindsBadLabelValues()
    {
        using var fixture = DataFixture.Nyud();
        var path = Path.Combine(fixture.Root, "edge", "0003.npy");
        NpyFile.Write(path, Enumerable.Repeat(0.5f, 8 * 12).ToArray(), 8, 12);
        var (headersOnly, _) = Cli("data", "verify", fixture.Root, "--dataset", "nyud", "--manifest", fixture.ManifestPath);
        Assert.Equal(0, headersOnly);
        var (exit, output) = Cli("data", "verify", fixture.Root, "--dataset", "nyud", "--manifest", fixture.ManifestPath, "--full");
        Assert.Equal(1, exit);
        Assert.Contains(path + ": has edge value 0.5 at row 0, column 0", output);
    }

    [Fact]
    public void DataDescribe_Pascal_ListsTasksClassesSplitsAndWeights()
    {
        var (exit, output) = Cli("data", "describe", "--dataset", "pascal");
        Assert.True(exit == 0, output);
        Assert.Contains("PASCAL-Context (pascal)", output);
        Assert.Contains("train 4,998", output);
        Assert.Contains("val 5,105", output);
        Assert.Contains("aeroplane", output);
        Assert.Contains("human_parts", output);
        Assert.Contains("odsF", output);
        Assert.Contains("BCE (positive weight 0.95) x 50", output);
    }
}
