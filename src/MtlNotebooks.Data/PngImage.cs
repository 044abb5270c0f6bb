using MtlNotebooks.Data;

namespace MtlNotebooks;

/// <summary>A PNG picture to show in a notebook (image/png output), e.g. labels drawn with
/// <see cref="LabelImages"/> or a <c>SyntheticPreview.Render</c> grid. Lives in the root namespace so the setup cell's
/// <c>using MtlNotebooks;</c> is enough.</summary>
public sealed record PngImage
{
    public PngImage(byte[] bytes, int height, int width, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length < 8 || bytes[0] != 0x89 || bytes[1] != (byte)'P' || bytes[2] != (byte)'N' || bytes[3] != (byte)'G')
            throw new ArgumentException($"The {bytes.Length} bytes given are not a PNG file (no PNG signature).", nameof(bytes));
        (Bytes, Height, Width, Caption) = (bytes, height, width, caption);
    }

    public byte[] Bytes { get; }
    public int Height { get; }
    public int Width { get; }
    public string? Caption { get; init; }

    /// <summary><paramref name="image"/> (e.g. <c>SyntheticPreview.Render</c> or <see cref="LabelImages.Grid"/>), enlarged
    /// <paramref name="scale"/> times with nearest-neighbour pixels so small label maps stay crisp.</summary>
    public static PngImage FromRgb(RgbImage image, int scale = 1, string? caption = null)
    {
        var big = LabelImages.Upscale(image, scale);
        return new PngImage(LabelImages.ToPng(big), big.Height, big.Width, caption);
    }

    /// <summary>Tiles of one size side by side, 2 pixels apart.</summary>
    public static PngImage Row(IReadOnlyList<RgbImage> tiles, int scale = 1, string? caption = null) =>
        FromRgb(LabelImages.Grid([tiles]), scale, caption);

    public string ToBase64() => Convert.ToBase64String(Bytes);

    public override string ToString() => $"PNG {Width}×{Height}{(Caption is null ? "" : ": " + Caption)}";
}
