using System.Buffers.Binary;
using MtlNotebooks.Data;

namespace MtlNotebooks.Tests.Data;

/// <summary>Decoders: each refuses a cut or garbled file (JPEG, PNG, NPY, MAT) with a DataSetException naming the file and the fault.</summary>
[Collection("Torch")]
public sealed class CorruptFileTests
{
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
        var path = BadDataTests.PathOf(fixture, "images", "0001.jpg");
        BadFiles.CutTo(path, (int)new FileInfo(path).Length - 8);
        var error = BadDataTests.LoadFails(fixture);
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
}
