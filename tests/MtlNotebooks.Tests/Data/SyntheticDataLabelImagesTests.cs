using System.Numerics;
using MtlNotebooks.Data;
using MtlNotebooks.Data.Synthetic;
using SkiaSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Data;

/// <summary>Pictures from arrays and tensors.</summary>
[Collection("Torch")]
public sealed class SyntheticDataLabelImagesTests
{
    [Fact]
    public void ToPng_RoundTripsPixels()
    {
        var rgb = new byte[2 * 3 * 3];
        rgb[0] = 255;                                  // (0,0) red
        rgb[3 * 5 + 2] = 200;                          // (row 1, col 2) blue-ish
        var png = LabelImages.ToPng(new RgbImage(rgb, 2, 3));
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal(3, bitmap.Width);
        Assert.Equal(2, bitmap.Height);
        Assert.Equal(new SKColor(255, 0, 0), bitmap.GetPixel(0, 0));
        Assert.Equal(new SKColor(0, 0, 200), bitmap.GetPixel(2, 1));
        Assert.Throws<ArgumentException>(() => LabelImages.ToPng(new RgbImage(rgb, 3, 3)));
    }

    [Fact]
    public void Colorize_InvalidValuesAreBlack()
    {
        Assert.Equal(new byte[] { 0, 0, 0 }, LabelImages.ColorizeClasses(new byte[] { 255 }));
        Assert.NotEqual(new byte[] { 0, 0, 0 }, LabelImages.ColorizeClasses(new byte[] { 0 }));
        Assert.Equal(LabelImages.ColorizeClasses(new byte[] { 3, 40 }), LabelImages.ColorizeClasses(new long[] { 3, 40 }));
        var depth = LabelImages.ColorizeDepth(new float[] { 0, 2, 4 });
        Assert.Equal(new byte[] { 0, 0, 0 }, depth[..3]);
        Assert.NotEqual(depth[3..6], depth[6..9]);
        var normals = LabelImages.ColorizeNormals(new float[] { 0, 1, 0, 0, 0, 0 });   // [3, 1, 2]
        Assert.Equal(new byte[] { 0, 0, 0 }, normals[..3]);
        Assert.Equal(new byte[] { 255, 128, 128 }, normals[3..6]);
        Assert.Equal(new byte[] { 0, 0, 0, 255, 255, 255 }, LabelImages.Grayscale(new float[] { 0, 1 }));
    }

    [Fact]
    public void TensorOverloads_MatchArrays_AndLeaveTheInputAlone()
    {
        var s = SyntheticScenes.Generate(0, 1, 16, 16);
        using var depth = tensor(s.Depth, new long[] { 1, 16, 16 });
        using var normals = tensor(s.Normals, new long[] { 3, 16, 16 });
        using var classes = tensor(s.Semseg.Select(b => (long)b).ToArray(), new long[] { 16, 16 });
        using var image = tensor(s.Image, new long[] { 3, 16, 16 });
        Assert.Equal(LabelImages.ColorizeDepth(s.Depth), LabelImages.ColorizeDepth(depth).Pixels);
        Assert.Equal((16, 16), (LabelImages.ColorizeDepth(depth).Height, LabelImages.ColorizeDepth(depth).Width));
        Assert.Equal(LabelImages.ColorizeNormals(s.Normals), LabelImages.ColorizeNormals(normals).Pixels);
        Assert.Equal(LabelImages.ColorizeClasses(s.Semseg), LabelImages.ColorizeClasses(classes).Pixels);
        Assert.Equal(LabelImages.ImageToRgb(s.Image, normalized: false), LabelImages.ImageToRgb(image, normalized: false).Pixels);
        Assert.False(depth.IsInvalid);
        Assert.Equal(s.Depth[5], depth[0, 0, 5].item<float>());
        Assert.Throws<ArgumentException>(() => LabelImages.ColorizeNormals(depth));
    }

    [Fact]
    public void Grid_PlacesTilesWithGaps()
    {
        RgbImage Tile(byte v) => new(Enumerable.Repeat(v, 2 * 3 * 3).ToArray(), 2, 3);
        var (rgb, height, width) = LabelImages.Grid([[Tile(10), Tile(20)], [Tile(30)]], gap: 1, background: 255);
        Assert.Equal(5, height);
        Assert.Equal(7, width);
        Assert.Equal(10, rgb[0]);
        Assert.Equal(255, rgb[3 * 3]);                 // the gap column
        Assert.Equal(20, rgb[3 * 4]);
        Assert.Equal(30, rgb[3 * (3 * width)]);        // row 3: second tile row
        Assert.Equal(255, rgb[3 * (3 * width + 4)]);   // missing tile is background
    }

    [Fact]
    public void Grid_TilesOfTwoSizes_AreRefusedNamingTheOdd()
    {
        var small = new RgbImage(new byte[2 * 3 * 3], 2, 3);
        var big = new RgbImage(new byte[4 * 3 * 3], 4, 3);
        var error = Assert.Throws<ArgumentException>(() => LabelImages.Grid([[small], [small, big]]));
        Assert.Contains("the first is 2×3, row 2 tile 2 is 4×3", error.Message);
    }
}
