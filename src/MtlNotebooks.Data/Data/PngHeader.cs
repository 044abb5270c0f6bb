namespace MtlNotebooks.Data;

/// <summary>A PNG's IHDR: size, bit depth, colour type (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA) and interlacing.</summary>
public sealed record PngHeader(int Height, int Width, int BitDepth, int ColorType, bool Interlaced)
{
    /// <summary>Samples per pixel (a palette index is one sample).</summary>
    public int Channels => ColorType switch { 2 => 3, 4 => 2, 6 => 4, _ => 1 };
}
