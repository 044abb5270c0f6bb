namespace MtlNotebooks.Data;

/// <summary>An image as H × W × 3 interleaved RGB bytes.</summary>
public sealed record RgbImage(byte[] Pixels, int Height, int Width);
