using System.Buffers.Binary;
using MtlNotebooks.Data;

namespace MtlNotebooks.Tests.Data;

/// <summary>Every kind of bad input is an error that names the file and says what is wrong: decoders refuse cut and
/// garbled files, manifests are checked against their schema, and verification reports every problem as a line.</summary>
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

    // ---- Decoders: each refuses a cut or garbled file with a DataSetException naming the file and the fault. ----

    private static DataSetException Fails(string path, Action read)
    {
        var error = Assert.Throws<DataSetException>(read);
        Assert.Equal(path, error.FilePath);
        Assert.StartsWith(path + ": ", error.Message);
        return error;
    }

    [Fact]
    public void ReadRgb_TruncatedJpeg_SaysTruncatedInsteadOfReturningAPartImage()
    {
        using var files = new BadFiles();
        var path = files.Jpeg("cut.jpg");
        BadFiles.Cut(path, 0.6);
        var error = Fails(path, () => ImageIO.ReadRgb(path));
        Assert.Equal("is truncated: the JPEG data ends before the image is complete.", error.Problem);
    }

    [Fact]
    public void ReadSize_TruncatedJpeg_SaysTruncatedFromTheMissingEndMarker()
    {
        using var files = new BadFiles();
        var path = files.Jpeg("cut.jpg");
        BadFiles.Cut(path, 0.6);
        var error = Fails(path, () => ImageIO.ReadSize(path));
        Assert.Equal("is truncated: the JPEG data ends before the image is complete (no end-of-image marker).", error.Problem);
    }

    [Fact]
    public void ReadRgb_WholeJpeg_StillDecodes()
    {
        using var files = new BadFiles();
        var path = files.Jpeg("whole.jpg");
        var image = ImageIO.ReadRgb(path);
        Assert.Equal((48, 64), (image.Height, image.Width));
        Assert.Equal((48, 64), ImageIO.ReadSize(path));
    }

    [Fact]
    public void GetBatch_TruncatedJpeg_IsAnErrorNotABlackImage()
    {
        using var fixture = DataFixture.Nyud();
        var path = PathOf(fixture, "images", "0001.jpg");
        BadFiles.CutTo(path, (int)new FileInfo(path).Length - 8);
        var error = LoadFails(fixture);
        Assert.Equal(path, error.FilePath);
        Assert.StartsWith("is truncated: the JPEG data ends before the image is complete", error.Problem);
    }

    [Fact]
    public void Png_BadIhdrLength_SaysCorruptIhdr()
    {
        using var files = new BadFiles();
        var path = files.Png("label.png");
        BadFiles.Patch(path, b => b[11] = 14);
        const string expected = "is corrupt: its IHDR chunk has length 14, a PNG's IHDR has 13.";
        Assert.Equal(expected, Fails(path, () => ImageIO.ReadPngSamples(path)).Problem);
        Assert.Equal(expected, Fails(path, () => ImageIO.ReadPngSize(path)).Problem);
    }

    [Fact]
    public void Png_TruncatedIdat_SaysTruncatedInSamplesAndSize()
    {
        using var files = new BadFiles();
        var path = files.Png("label.png");
        int idat = BadFiles.Chunk(File.ReadAllBytes(path), "IDAT");
        BadFiles.CutTo(path, idat + 12);
        Assert.StartsWith($"is truncated: chunk IDAT at byte {idat} needs", Fails(path, () => ImageIO.ReadPngSamples(path)).Problem);
        Assert.StartsWith($"is truncated: chunk IDAT at byte {idat} needs", Fails(path, () => ImageIO.ReadPngSize(path)).Problem);
    }

    [Fact]
    public void Png_ImageDataShorterThanTheRows_SaysHowMuchIsMissing()
    {
        using var files = new BadFiles();
        var path = files.PngWithShortImageData("short.png", height: 8, width: 12, rows: 3);
        var error = Fails(path, () => ImageIO.ReadPngSamples(path));
        Assert.Equal("is truncated: its image data (IDAT) inflates to 39 bytes, a 8x12 image needs 104.", error.Problem);
    }

    [Fact]
    public void Png_CorruptChunkLength_SaysCorruptNotAHugeSize()
    {
        using var files = new BadFiles();
        var path = files.Png("label.png");
        int idat = BadFiles.Chunk(File.ReadAllBytes(path), "IDAT");
        BadFiles.Patch(path, b => BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(idat), 0x7FFFFFF0));
        var error = Fails(path, () => ImageIO.ReadPngSamples(path));
        Assert.StartsWith($"is corrupt: chunk IDAT at byte {idat} claims 2,147,483,644 bytes, impossible in a file of", error.Problem);
    }

    [Fact]
    public void Png_FlippedByteInImageData_FailsItsCrc()
    {
        using var files = new BadFiles();
        var path = files.Png("label.png");
        int idat = BadFiles.Chunk(File.ReadAllBytes(path), "IDAT");
        BadFiles.Patch(path, b => b[idat + 10] ^= 0x40);
        Assert.Equal($"is corrupt: chunk IDAT at byte {idat} fails its CRC check.", Fails(path, () => ImageIO.ReadPngSamples(path)).Problem);
    }

    [Fact]
    public void Png_CutBeforeIend_SaysTruncated()
    {
        using var files = new BadFiles();
        var path = files.Png("label.png");
        int iend = BadFiles.Chunk(File.ReadAllBytes(path), "IEND");
        BadFiles.CutTo(path, iend);
        Assert.Equal($"is truncated: the file ends at byte {iend} before its IEND chunk.", Fails(path, () => ImageIO.ReadPngSamples(path)).Problem);
        Assert.Equal($"is truncated: the file ends at byte {iend} before its IEND chunk.", Fails(path, () => ImageIO.ReadPngSize(path)).Problem);
    }

    [Fact]
    public void Png_IhdrClaimingAHugeImage_SaysCorruptWithoutAllocatingIt()
    {
        using var files = new BadFiles();
        var path = files.Png("label.png");
        BadFiles.Patch(path, b =>
        {
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(16), 100_000);
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(20), 100_000);
            BadFiles.FixCrc(b, 8);
        });
        var error = Fails(path, () => ImageIO.ReadPngSamples(path));
        Assert.StartsWith("is corrupt: its IHDR says 100000x100000 pixels, more than its", error.Problem);
    }

    [Fact]
    public void Npy_GarbledHeaderDict_SaysGarbled()
    {
        using var files = new BadFiles();
        var path = files.Npy("d.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (8, 12), 'extra", 384);
        var error = Fails(path, () => NpyFile.Read(path));
        Assert.StartsWith("has a garbled .npy header: expected a closing quote at character", error.Problem);
        Assert.Contains("'shape': (8, 12), 'extra", error.Problem);
    }

    [Fact]
    public void Npy_WordInTheShape_SaysGarbledNotFormatException()
    {
        using var files = new BadFiles();
        var path = files.Npy("d.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (8, twelve), }", 384);
        Assert.StartsWith("has a garbled .npy header: expected an integer at character 54", Fails(path, () => NpyFile.Read(path)).Problem);
    }

    [Fact]
    public void Npy_NegativeDimension_SaysCorruptShape()
    {
        using var files = new BadFiles();
        var path = files.Npy("d.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (8, -12), }", 384);
        Assert.Equal("has a corrupt .npy header: shape (8, -12) has a negative dimension.", Fails(path, () => NpyFile.Read(path)).Problem);
        Assert.Equal("has a corrupt .npy header: shape (8, -12) has a negative dimension.", Fails(path, () => NpyFile.ReadHeader(path)).Problem);
    }

    [Fact]
    public void Npy_ShapeBeyondAnyArray_SaysCorruptShape()
    {
        using var files = new BadFiles();
        var path = files.Npy("d.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 1000000000), }", 384);
        Assert.Equal("has a corrupt .npy header: shape (1000000000, 1000000000) claims more elements than an array can hold.",
            Fails(path, () => NpyFile.Read(path)).Problem);
    }

    [Fact]
    public void Npy_ShapeFarBeyondTheFile_SaysCorruptNotTruncated()
    {
        using var files = new BadFiles();
        var path = files.Npy("d.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (30000, 30000), }", 384);
        Assert.Equal("is corrupt: the data of shape (30000, 30000) <f4 claims 3,600,000,000 bytes, impossible in a file of 512 bytes.",
            Fails(path, () => NpyFile.Read(path)).Problem);
    }

    [Fact]
    public void Npy_TruncatedData_SaysNeededAndRemainingBytes()
    {
        using var files = new BadFiles();
        var path = files.Npy("d.npy", 8, 12);
        BadFiles.CutTo(path, 412);
        const string expected = "is truncated: the data of shape (8, 12) <f4 needs 384 bytes, only 284 remain (the file has 412).";
        Assert.Equal(expected, Fails(path, () => NpyFile.Read(path)).Problem);
        Assert.Equal(expected, Fails(path, () => NpyFile.ReadHeader(path)).Problem);
    }

    [Fact]
    public void Npy_CutInsideTheHeader_SaysTruncatedHeader()
    {
        using var files = new BadFiles();
        var path = files.Npy("d.npy", 8, 12);
        BadFiles.CutTo(path, 50);
        Assert.Equal("is truncated: the .npy header needs 118 bytes, only 40 remain (the file has 50).", Fails(path, () => NpyFile.ReadShape(path)).Problem);
    }

    [Fact]
    public void Npy_CorruptVersion2HeaderLength_SaysCorrupt()
    {
        using var files = new BadFiles();
        var path = files.Npy("d.npy", 8, 12);
        BadFiles.Patch(path, b =>
        {
            b[6] = 2;
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), 0xFFFFFFF0);
        });
        Assert.Equal("is corrupt: the .npy header claims 4,294,967,280 bytes, impossible in a file of 512 bytes.", Fails(path, () => NpyFile.Read(path)).Problem);
    }

    [Fact]
    public void Npy_MoreDataThanTheShape_SaysTheHeaderOrDataIsCorrupt()
    {
        using var files = new BadFiles();
        var path = files.Npy("d.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (8, 12), }", 384 + 40);
        Assert.Equal("has 40 bytes after the data its shape (8, 12) of <f4 describes; the header or the data is corrupt.",
            Fails(path, () => NpyFile.Read(path)).Problem);
    }

    [Fact]
    public void Npy_DatetimeDtype_SaysNotANumberType()
    {
        using var files = new BadFiles();
        var path = files.Npy("d.npy", "{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (8, 12), }", 768);
        Assert.StartsWith("has dtype '<M8[ns]', which is not a number type this reader supports", Fails(path, () => NpyFile.Read(path)).Problem);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Mat_Truncated_SaysTruncated(bool compressed)
    {
        using var files = new BadFiles();
        var path = files.Mat("m.mat", compressed);
        BadFiles.CutTo(path, (int)new FileInfo(path).Length - 10);
        Assert.StartsWith("is truncated: the variable at byte 128 needs", Fails(path, () => MatFile.Read(path)).Problem);
        Assert.StartsWith("is truncated: the variable at byte 128 needs", Fails(path, () => MatFile.CheckStructure(path)).Problem);
    }

    [Fact]
    public void Mat_CutInsideTheHeader_SaysTruncatedHeader()
    {
        using var files = new BadFiles();
        var path = files.Mat("m.mat", compress: true);
        BadFiles.CutTo(path, 100);
        Assert.Equal("is truncated: it ends inside its 128-byte MAT-file header (100 bytes).", Fails(path, () => MatFile.Read(path)).Problem);
    }

    [Fact]
    public void Mat_CutInsideATag_SaysTruncatedNotEmpty()
    {
        using var files = new BadFiles();
        var path = files.Mat("m.mat", compress: false);
        int length = (int)new FileInfo(path).Length;
        File.AppendAllText(path, "\u000e\0\0\0");                        // 4 bytes of the next variable's tag
        var expected = $"is truncated: it ends at byte {length + 4}, inside the tag of the element at byte {length}.";
        Assert.Equal(expected, Fails(path, () => MatFile.Read(path)).Problem);
        Assert.Equal(expected, Fails(path, () => MatFile.CheckStructure(path)).Problem);
    }

    [Fact]
    public void Mat_CorruptVariableLength_SaysCorrupt()
    {
        using var files = new BadFiles();
        var path = files.Mat("m.mat", compress: true);
        BadFiles.Patch(path, b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(132), 0xFFFFFF00));
        Assert.StartsWith("is corrupt: the variable at byte 128 claims 4,294,967,040 bytes", Fails(path, () => MatFile.Read(path)).Problem);
    }

    [Fact]
    public void Mat_ImpossibleDimensions_SaysCorrupt()
    {
        using var files = new BadFiles();
        var path = files.Mat("m.mat", compress: false);
        // Matrix tag (8) + array flags element (16) + dimensions tag (8): the dimensions start at byte 160.
        BadFiles.Patch(path, b => BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(160), 400_000_000));
        Assert.Equal("is corrupt: the variable at byte 128: an array has dimensions 400000000x10, which no array can have.",
            Fails(path, () => MatFile.ReadMatrix(path, "LabelMap")).Problem);
    }

    // ---- Manifests: checked against the schema, naming the file and the field path. ----

    private static string ManifestFails(string path)
    {
        var error = Assert.Throws<DataSetException>(() => DataManifest.Load(path));
        Assert.Equal(path, error.FilePath);
        return error.Message;
    }

    [Fact]
    public void Manifest_MisspeltFormat_NamesFileFieldAndChoices()
    {
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m => BadFiles.Task(m, "depth")["format"] = "npz");
        Assert.Equal($"{path}: tasks.depth.format: unknown format 'npz'; expected one of png-classes, png-binary, png-normals, npy-depth, " +
                     "npy-normals, npy-edge, mat-human-parts, mat-labelmap-edges", ManifestFails(path));
    }

    [Fact]
    public void Manifest_MisspeltFieldName_SaysUnknownFieldAndTheMissingOne()
    {
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m =>
        {
            var depth = BadFiles.Task(m, "depth");
            depth["fromat"] = depth["format"]!.DeepClone();
            depth.Remove("format");
        });
        var message = ManifestFails(path);
        Assert.Contains($"{path}: tasks.depth.fromat: unknown field (did you mean 'format'?); expected one of name, folders, pattern, format", message);
        Assert.Contains($"{path}: tasks.depth.format: is required but missing", message);
    }

    [Fact]
    public void Manifest_UnknownTopLevelField_SuggestsTheKnownOne()
    {
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m =>
        {
            m["lossWeight"] = m["lossWeights"]!.DeepClone();
            m.Remove("lossWeights");
        });
        var message = ManifestFails(path);
        Assert.Contains($"{path}: lossWeight: unknown field (did you mean 'lossWeights'?)", message);
        Assert.Contains($"{path}: lossWeights: is required but missing", message);
    }

    [Fact]
    public void Manifest_MissingSplits_SaysRequired()
    {
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m => m.Remove("splits"));
        Assert.Equal($"{path}: splits: is required but missing", ManifestFails(path));
    }

    [Fact]
    public void Manifest_CountAsString_SaysExpectedAnInteger()
    {
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m => m["splits"]![0]!["count"] = "795");
        Assert.Equal($"{path}: splits.train.count: is the string \"795\"; expected an integer", ManifestFails(path));
    }

    [Fact]
    public void Manifest_LossWeightForNoTask_NamesTheKey()
    {
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m => m["lossWeights"]!["semsge"] = 1);
        Assert.Equal($"{path}: lossWeights.semsge: no task of that name; tasks: semseg, depth, normals, edge", ManifestFails(path));
    }

    [Fact]
    public void Manifest_TaskListedTwice_SaysSo()
    {
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m => m["tasks"]!.AsArray().Add(BadFiles.Task(m, "depth").DeepClone()));
        Assert.Equal($"{path}: tasks.depth: appears more than once", ManifestFails(path));
    }

    [Fact]
    public void Manifest_UnknownImageFormatAndZeroClasses_ListsBothProblems()
    {
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m =>
        {
            BadFiles.Task(m, "semseg")["classes"] = 0;
            m["image"]!["format"] = "jpg";
        });
        var message = ManifestFails(path);
        Assert.Contains($"{path}: image.format: unknown format 'jpg'; expected one of jpeg, png", message);
        Assert.Contains($"{path}: tasks.semseg.classes: is 0; it must be at least 1", message);
    }

    [Fact]
    public void Manifest_EdgePatternWithoutId_SaysNoPlaceholder()
    {
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m => BadFiles.Task(m, "edge")["pattern"] = "edge.npy");
        Assert.Equal($"{path}: tasks.edge.pattern: has no {{id}} placeholder for the sample id", ManifestFails(path));
    }

    [Theory]
    [InlineData("nyud")]
    [InlineData("pascal")]
    public void Manifest_RealManifests_PassTheSchema(string id)
    {
        var manifest = DataManifest.ForDataSet(id);
        Assert.Empty(manifest.Validate());
    }

    [Fact]
    public void DataVerify_MisspeltManifest_PrintsFileAndField()
    {
        using var fixture = DataFixture.Nyud();
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m => BadFiles.Task(m, "depth")["format"] = "npz");
        var (exit, output) = Cli("data", "verify", fixture.Root, "--dataset", "nyud", "--manifest", path);
        Assert.Equal(1, exit);
        Assert.Contains($"{path}: tasks.depth.format: unknown format 'npz'", output);
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
