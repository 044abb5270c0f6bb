using MtlNotebooks.Runtime;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using SkiaSharp;

namespace MtlNotebooks.Data;

/// <summary>
/// The one image-IO seam of the library. Photographs (JPEG, PNG) decode through SkiaSharp's codec, which must report
/// a complete decode. Label PNGs decode through <see cref="PngReader"/>, which returns the stored sample values, because
/// the references read class maps with PIL, which yields palette <em>indices</em> for palette PNGs, whereas SkiaSharp
/// resolves palettes to colours. Every failure is a <see cref="DataSetException"/> naming the file.
/// </summary>
public static class ImageIO
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    // Entropy-coded JPEG data never holds FF D9 (an FF there is followed by 00 or a restart marker), so a file with no
    // end-of-image marker in its last kilobyte was cut short; the window leaves room for padding after the marker.
    private const int JpegTail = 1024;

    /// <summary>Decodes a JPEG or PNG photograph to RGB. The image must decode completely: a cut file is an error,
    /// not a picture with a grey or black bottom.</summary>
    public static RgbImage ReadRgb(string path)
    {
        RequireFile(path);
        using var codec = OpenCodec(path);
        var (h, w) = Size(path, codec);
        // Unpremultiplied, as PIL's convert('RGB') drops alpha without multiplying it in.
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success) throw Failed(path, codec.EncodedFormat, result);
        var bytes = bitmap.GetPixelSpan();
        var rgb = new byte[h * w * 3];
        int stride = bitmap.RowBytes;
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            int s = y * stride + 4 * x, d = 3 * (y * w + x);
            rgb[d] = bytes[s];
            rgb[d + 1] = bytes[s + 1];
            rgb[d + 2] = bytes[s + 2];
        }
        return new RgbImage(rgb, h, w);
    }

    /// <summary>The size of an image from its header (JPEG or PNG), without decoding the pixels; also checks that the
    /// file is complete (a PNG reaches its IEND chunk, a JPEG ends with its end-of-image marker).</summary>
    public static (int Height, int Width) ReadSize(string path)
    {
        RequireFile(path);
        SKEncodedImageFormat format;
        int h, w;
        using (var codec = OpenCodec(path))
        {
            (h, w) = Size(path, codec);
            format = codec.EncodedFormat;
        }
        Open(path, stream =>
        {
            if (format == SKEncodedImageFormat.Png) PngReader.Check(path, stream);
            if (format != SKEncodedImageFormat.Jpeg) return 0;
            var tail = new byte[Math.Min(JpegTail, stream.Length)];
            stream.Seek(-tail.Length, SeekOrigin.End);
            stream.ReadExactly(tail);
            if (tail.AsSpan().IndexOf([(byte)0xFF, (byte)0xD9]) < 0)
                throw new DataSetException(path, "is truncated: the JPEG data ends before the image is complete (no end-of-image marker).");
            return 0;
        });
        return (h, w);
    }

    /// <summary>Decodes a PNG's stored samples: grey (1-16 bit), RGB, grey+alpha, RGBA (8/16 bit) or palette (indices).
    /// Interlaced PNGs are not supported (the data sets' label PNGs are not interlaced).</summary>
    public static PngSamples ReadPngSamples(string path)
    {
        var file = ReadFile(path);
        try
        {
            return PngReader.Decode(path, file);
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            // PngReader checks every length it uses; this only keeps a missed case naming the file.
            throw new DataSetException(path, $"is not a readable PNG label map ({ex.Message}).", ex);
        }
    }

    /// <summary>Width and height from a PNG's IHDR chunk (checked, with the chunk structure up to IEND).</summary>
    public static (int Height, int Width) ReadPngSize(string path)
    {
        var header = ReadPngHeader(path);
        return (header.Height, header.Width);
    }

    /// <summary>A PNG's IHDR, after checking the chunk structure (every chunk fits, the file reaches IEND) without
    /// inflating the pixels.</summary>
    public static PngHeader ReadPngHeader(string path) => Open(path, stream => PngReader.Check(path, stream));

    private static SKCodec OpenCodec(string path)
    {
        var codec = SKCodec.Create(path, out var result);
        if (codec is not null) return codec;
        throw result == SKCodecResult.IncompleteInput
            ? new DataSetException(path, "is truncated: the file ends inside its image header.")
            : new DataSetException(path, $"is not a readable image (SkiaSharp could not decode it as JPEG or PNG: {result}).");
    }

    private static (int Height, int Width) Size(string path, SKCodec codec)
    {
        int h = codec.Info.Height, w = codec.Info.Width;
        if (h < 1 || w < 1 || (long)h * w * 4 > Array.MaxLength)
            throw new DataSetException(path, $"is corrupt: its header says {h}x{w} pixels.");
        return (h, w);
    }

    private static DataSetException Failed(string path, SKEncodedImageFormat format, SKCodecResult result)
    {
        var name = format switch { SKEncodedImageFormat.Jpeg => "JPEG", SKEncodedImageFormat.Png => "PNG", _ => format.ToString().ToUpperInvariant() };
        return result switch
        {
            SKCodecResult.IncompleteInput => new DataSetException(path, $"is truncated: the {name} data ends before the image is complete."),
            SKCodecResult.ErrorInInput => new DataSetException(path, $"is corrupt: its {name} data has an error the decoder cannot read past."),
            _ => new DataSetException(path, $"could not be decoded as {name} ({result})."),
        };
    }

    private static T Open<T>(string path, Func<FileStream, T> read)
    {
        RequireFile(path);
        try
        {
            using var stream = File.OpenRead(path);
            return read(stream);
        }
        catch (Exception ex) when (ex is IOException and not DataSetException or UnauthorizedAccessException)
        {
            throw new DataSetException(path, $"cannot be read ({ex.Message}).", ex);
        }
    }

    /// <summary>Writes 8-bit samples (H × W × channels, channels 1 = grey or 3 = RGB) as a PNG, atomically; with
    /// <paramref name="palette"/> a one-channel map is stored as palette indices (as PASCAL's class PNGs are).</summary>
    public static void WritePng(string path, byte[] samples, int height, int width, int channels, bool palette = false)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "1 (grey/palette) or 3 (RGB).");
        if (palette && channels != 1) throw new ArgumentException("A palette PNG has one channel.", nameof(palette));
        if (samples.Length != height * width * channels)
            throw new ArgumentException($"Expected {height}×{width}×{channels} samples, got {samples.Length}.", nameof(samples));
        using var png = new MemoryStream();
        png.Write(Signature);
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)height);
        header[8] = 8;
        header[9] = (byte)(palette ? 3 : channels == 1 ? 0 : 2);
        WriteChunk(png, "IHDR", header);
        if (palette)
        {
            var colours = new byte[256 * 3];
            for (int i = 0; i < 256; i++)
            {
                var (r, g, b) = LabelImages.ClassColor(i);
                (colours[3 * i], colours[3 * i + 1], colours[3 * i + 2]) = (r, g, b);
            }
            WriteChunk(png, "PLTE", colours);
        }
        var raw = new MemoryStream();
        using (var deflater = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                deflater.WriteByte(0);
                deflater.Write(samples, y * width * channels, width * channels);
            }
        }
        WriteChunk(png, "IDAT", raw.ToArray());
        WriteChunk(png, "IEND", []);
        AtomicFile.WriteAllBytes(path, png.ToArray());
    }

    /// <summary>Writes H × W × 3 RGB as a JPEG (quality 95), atomically.</summary>
    public static void WriteJpeg(string path, RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        AtomicFile.WriteAllBytes(path, LabelImages.Encode(image, SKEncodedImageFormat.Jpeg, 95));
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
        stream.Write(word);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        // PNG's chunk CRC is the standard CRC-32 (ISO 3309) over the type and the data.
        var crc = new Crc32();
        crc.Append(typeBytes);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc.GetCurrentHashAsUInt32());
        stream.Write(word);
    }

    /// <summary>The bytes of a data file; a missing or unreadable file is a <see cref="DataSetException"/> naming it.</summary>
    internal static byte[] ReadFile(string path)
    {
        RequireFile(path);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataSetException(path, $"cannot be read ({ex.Message}).", ex);
        }
    }

    internal static void RequireFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new DataSetException(path, "is missing.");
    }
}
