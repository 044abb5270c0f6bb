using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using SkiaSharp;

namespace MtlNotebooks.Data;

/// <summary>The raw samples of a PNG (palette indices, not colours; 16-bit values kept), H × W × Channels, channels last.</summary>
public sealed record PngSamples(int[] Values, int Height, int Width, int Channels);
