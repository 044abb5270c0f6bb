using MtlNotebooks.Data;

namespace MtlNotebooks.Tests.Data;

/// <summary>Every kind of bad input is an error that names the file and says what is wrong: labels that do not fit their
/// task, and verification that reports every problem as a line (decoders: <see cref="CorruptFileTests"/>; manifests:
/// <see cref="ManifestSchemaTests"/>).</summary>
[Collection("Torch")]
public sealed class BadDataTests
{
    internal static DataSetException LoadFails(DataFixture fixture)
    {
        var data = ManifestDataset.Open(fixture.Manifest, fixture.Root, "train", new LoaderOptions { Height = fixture.Height, Width = fixture.Width });
        return Assert.Throws<DataSetException>(() => data.GetBatch([0, 1]));
    }

    internal static string PathOf(DataFixture fixture, string folder, string file) => Path.Combine(fixture.Root, folder, file);

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
    internal static (int Exit, string Output) Cli(params string[] args)
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
        Assert.Contains("splits: no id is in more than one of train, val.", output);
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

    // ---- Verify: every problem is a line of the report; it never throws. ----

    private static VerificationReport Verify(DataFixture fixture, bool full = false) => DataVerifier.Verify(fixture.Manifest, fixture.Root, full);

    private static string Line(VerificationReport report, string path)
    {
        var line = report.Problems.FirstOrDefault(p => p.StartsWith(path + ": ", StringComparison.Ordinal));
        Assert.True(line is not null, $"No problem names {path}:\n{report.ToText()}");
        return line;
    }

    [Fact]
    public void Verify_ValidationIdAlsoInTraining_ReportsTheOverlap()
    {
        using var fixture = DataFixture.Nyud();
        var val = Path.Combine(fixture.Root, "gt_sets", "val.txt");
        File.WriteAllLines(val, ["0001", "0004"]);
        var line = Line(Verify(fixture), val);
        Assert.Equal($"{val}: 1 id(s) of split 'val' are also in split 'train' ({Path.Combine(fixture.Root, "gt_sets", "train.txt")}), " +
                     "so evaluation would see training samples: '0001'.", line);
    }

    [Fact]
    public void Verify_ManyOverlappingIds_GivesCountAndFirstFive()
    {
        using var fixture = DataFixture.Nyud(train: 7, validation: 2);
        var val = Path.Combine(fixture.Root, "gt_sets", "val.txt");
        File.WriteAllLines(val, Enumerable.Range(0, 7).Select(DataFixture.Id));
        var report = Verify(fixture);
        Assert.Contains(report.Problems, p => p.StartsWith($"{val}: 7 id(s) of split 'val' are also in split 'train'", StringComparison.Ordinal)
                                              && p.EndsWith("'0000', '0001', '0002', '0003', '0004', ….", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_Fast_NormalsWithoutChannels_SaysExpectedShape()
    {
        using var fixture = DataFixture.Nyud();
        var path = PathOf(fixture, "normals", "0002.npy");
        NpyFile.Write(path, new float[8 * 12], 8, 12);
        Assert.Equal($"{path}: has shape (8, 12); expected (H, W, 3).", Line(Verify(fixture), path));
    }

    [Fact]
    public void Verify_Fast_TruncatedNpy_ReportsItFromTheHeader()
    {
        using var fixture = DataFixture.Nyud();
        var path = PathOf(fixture, "depth", "0000.npy");
        BadFiles.CutTo(path, 300);
        Assert.Equal($"{path}: is truncated: the data of shape (8, 12) <f4 needs 384 bytes, only 172 remain (the file has 300).", Line(Verify(fixture), path));
    }

    [Fact]
    public void Verify_Fast_GarbledNpyHeader_IsALineNotACrash()
    {
        using var fixture = DataFixture.Nyud();
        var path = PathOf(fixture, "edge", "0001.npy");
        BadFiles.Patch(path, b => b[System.Text.Encoding.ASCII.GetString(b).IndexOf("(8, 12)", StringComparison.Ordinal) + 2] = (byte)'x');
        Assert.StartsWith($"{path}: has a garbled .npy header", Line(Verify(fixture), path));
    }

    [Fact]
    public void Verify_Fast_TruncatedJpeg_IsReported()
    {
        using var fixture = DataFixture.Nyud();
        var path = PathOf(fixture, "images", "0002.jpg");
        BadFiles.CutTo(path, (int)new FileInfo(path).Length - 8);
        Assert.Equal($"{path}: is truncated: the JPEG data ends before the image is complete (no end-of-image marker).", Line(Verify(fixture), path));
    }

    [Fact]
    public void DataVerifyFull_TruncatedJpeg_FailsNamingTheFile()
    {
        using var fixture = DataFixture.Nyud();
        var path = PathOf(fixture, "images", "0000.jpg");
        BadFiles.CutTo(path, (int)new FileInfo(path).Length - 8);
        var (exit, output) = Cli("data", "verify", fixture.Root, "--dataset", "nyud", "--manifest", fixture.ManifestPath, "--full");
        Assert.Equal(1, exit);
        Assert.Contains($"{path}: is truncated: the JPEG data ends before the image is complete.", output);
    }

    [Fact]
    public void Verify_Fast_RgbClassMap_SaysOneChannel()
    {
        using var fixture = DataFixture.Nyud();
        var path = PathOf(fixture, "segmentation", "0001.png");
        ImageIO.WritePng(path, new byte[8 * 12 * 3], 8, 12, 3);
        Assert.Equal($"{path}: has 3 channels; a class map has one (grey or palette indices).", Line(Verify(fixture), path));
    }

    [Fact]
    public void Verify_Fast_TruncatedPngLabel_IsReported()
    {
        using var fixture = DataFixture.Nyud();
        var path = PathOf(fixture, "segmentation", "0002.png");
        BadFiles.CutTo(path, 33 + 12);
        Assert.StartsWith($"{path}: is truncated: chunk IDAT at byte 33 needs", Line(Verify(fixture), path));
    }

    [Fact]
    public void Verify_Fast_TruncatedMatAndMissingMask_AreReported()
    {
        using var fixture = DataFixture.Pascal();
        var cut = Path.Combine(fixture.Root, "pascal-context", "trainval", "0000.mat");
        var gone = Path.Combine(fixture.Root, "pascal-context", "trainval", "0001.mat");
        BadFiles.CutTo(cut, (int)new FileInfo(cut).Length - 10);
        File.Delete(gone);
        var report = Verify(fixture);
        Assert.StartsWith($"{cut}: is truncated: the variable at byte 128 needs", Line(report, cut));
        Assert.Contains($"{gone}: is missing.", report.Problems);                  // the normals' mask
        Assert.Contains($"{gone}: is missing (label 'edge').", report.Problems);
    }

    [Fact]
    public void Verify_ManifestBuiltInCodeWithUnknownFormat_ReportsTheTask()
    {
        using var fixture = DataFixture.Nyud();
        var manifest = fixture.Manifest with
        {
            Tasks = [.. fixture.Manifest.Tasks.Select(t => t.Name == "depth" ? t with { Format = "exr-depth" } : t)],
        };
        var report = DataVerifier.Verify(manifest, fixture.Root);
        Assert.Contains(report.Problems, p => p.StartsWith("manifest 'nyud': tasks.depth.format: unknown format 'exr-depth'", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_ManifestWithoutImage_ReturnsAReportInsteadOfThrowing()
    {
        using var fixture = DataFixture.Nyud();
        var report = DataVerifier.Verify(fixture.Manifest with { Image = null! }, fixture.Root);
        Assert.False(report.IsValid);
        Assert.Contains("manifest 'nyud': image: is null; expected an object", report.Problems);
        Assert.Contains(report.Problems, p => p.StartsWith($"{fixture.Root}: verification stopped early", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_BlankRoot_IsALine()
    {
        using var fixture = DataFixture.Nyud();
        var report = DataVerifier.Verify(fixture.Manifest, " ");
        Assert.Equal(["the data root is empty: pass the folder that holds the data set."], report.Problems);
    }
}
