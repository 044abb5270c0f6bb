using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using SkiaSharp;

namespace MtlNotebooks.Data;

/// <summary>The raw samples of a PNG (palette indices, not colours; 16-bit values kept), H × W × Channels, channels last.</summary>
public sealed record PngSamples(int[] Values, int Height, int Width, int Channels);

/// <summary>
/// The one image-IO seam of the library. Photographs (JPEG, PNG) decode through SkiaSharp. Label PNGs decode through a
/// small built-in reader that returns the stored sample values, because the references read class maps with PIL, which
/// yields palette <em>indices</em> for palette PNGs, whereas SkiaSharp resolves palettes to colours. Every failure
/// is a <see cref="DataSetException"/> naming the file.
/// </summary>
public static class ImageIO
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Decodes a JPEG or PNG photograph to RGB.</summary>
    public static RgbImage ReadRgb(string path)
    {
        RequireFile(path);
        using var bitmap = SKBitmap.Decode(path)
                           ?? throw new DataSetException(path, "is not a readable image (SkiaSharp could not decode it as JPEG or PNG).");
        using var rgba = bitmap.ColorType == SKColorType.Rgba8888 ? null : bitmap.Copy(SKColorType.Rgba8888);
        var source = rgba ?? bitmap;
        if (source is null) throw new DataSetException(path, "could not be converted to RGB.");
        int h = source.Height, w = source.Width;
        var bytes = source.GetPixelSpan();
        var rgb = new byte[h * w * 3];
        int stride = source.RowBytes;
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

    /// <summary>The size of an image from its header (JPEG or PNG), without decoding the pixels.</summary>
    public static (int Height, int Width) ReadSize(string path)
    {
        RequireFile(path);
        using var codec = SKCodec.Create(path)
                          ?? throw new DataSetException(path, "is not a readable image (no JPEG or PNG header).");
        return (codec.Info.Height, codec.Info.Width);
    }

    /// <summary>Decodes a PNG's stored samples: grey (1-16 bit), RGB, grey+alpha, RGBA (8/16 bit) or palette (indices).
    /// Interlaced PNGs are not supported (the data sets' label PNGs are not interlaced).</summary>
    public static PngSamples ReadPngSamples(string path)
    {
        var file = ReadFile(path);
        try
        {
            return DecodePng(file);
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException or IndexOutOfRangeException or EndOfStreamException)
        {
            throw new DataSetException(path, $"is not a readable PNG label map ({ex.Message}).", ex);
        }
    }

    /// <summary>Width and height from a PNG's IHDR chunk.</summary>
    public static (int Height, int Width) ReadPngSize(string path)
    {
        RequireFile(path);
        var head = new byte[24];
        using (var stream = File.OpenRead(path))
        {
            if (stream.Read(head, 0, head.Length) != head.Length || !head.AsSpan(0, 8).SequenceEqual(Signature))
                throw new DataSetException(path, "is not a PNG file (bad signature).");
        }
        return ((int)BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(20)), (int)BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(16)));
    }

    private static PngSamples DecodePng(byte[] file)
    {
        if (file.Length < 8 || !file.AsSpan(0, 8).SequenceEqual(Signature)) throw new InvalidDataException("bad PNG signature");
        int pos = 8, width = 0, height = 0, bitDepth = 0, colorType = -1;
        var idat = new MemoryStream();
        while (pos + 8 <= file.Length)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(pos));
            var type = System.Text.Encoding.ASCII.GetString(file, pos + 4, 4);
            if (length < 0 || pos + 12 + length > file.Length) throw new InvalidDataException($"chunk {type} is truncated");
            var data = file.AsSpan(pos + 8, length);
            switch (type)
            {
                case "IHDR":
                    width = (int)BinaryPrimitives.ReadUInt32BigEndian(data);
                    height = (int)BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
                    bitDepth = data[8];
                    colorType = data[9];
                    if (data[12] != 0) throw new InvalidDataException("interlaced (Adam7) PNGs are not supported; re-save it without interlacing");
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
            }
            pos += 12 + length;
            if (type == "IEND") break;
        }
        if (width <= 0 || height <= 0) throw new InvalidDataException("no IHDR chunk");
        int channels = colorType switch
        {
            0 or 3 => 1,
            2 => 3,
            4 => 2,
            6 => 4,
            _ => throw new InvalidDataException($"unknown colour type {colorType}"),
        };
        int bitsPerPixel = channels * bitDepth;
        int rowBytes = (width * bitsPerPixel + 7) / 8, pixelBytes = Math.Max(1, bitsPerPixel / 8);
        var raw = new byte[height * (rowBytes + 1)];
        idat.Position = 0;
        using (var inflater = new ZLibStream(idat, CompressionMode.Decompress))
            inflater.ReadExactly(raw);

        var rows = new byte[height * rowBytes];
        var previous = new byte[rowBytes];
        for (int y = 0; y < height; y++)
        {
            int filter = raw[y * (rowBytes + 1)];
            var line = rows.AsSpan(y * rowBytes, rowBytes);
            raw.AsSpan(y * (rowBytes + 1) + 1, rowBytes).CopyTo(line);
            for (int i = 0; i < rowBytes; i++)
            {
                int a = i >= pixelBytes ? line[i - pixelBytes] : 0, b = previous[i], c = i >= pixelBytes ? previous[i - pixelBytes] : 0;
                line[i] = filter switch
                {
                    0 => line[i],
                    1 => (byte)(line[i] + a),
                    2 => (byte)(line[i] + b),
                    3 => (byte)(line[i] + (a + b) / 2),
                    4 => (byte)(line[i] + Paeth(a, b, c)),
                    _ => throw new InvalidDataException($"unknown filter {filter} in row {y}"),
                };
            }
            line.CopyTo(previous);
        }

        var values = new int[height * width * channels];
        for (int y = 0; y < height; y++)
        {
            var line = rows.AsSpan(y * rowBytes, rowBytes);
            for (int s = 0; s < width * channels; s++)
            {
                values[y * width * channels + s] = bitDepth switch
                {
                    8 => line[s],
                    16 => (line[2 * s] << 8) | line[2 * s + 1],
                    1 or 2 or 4 => (line[s * bitDepth / 8] >> (8 - bitDepth - (s * bitDepth % 8))) & ((1 << bitDepth) - 1),
                    _ => throw new InvalidDataException($"unsupported bit depth {bitDepth}"),
                };
            }
        }
        return new PngSamples(values, height, width, channels);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
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
    public static void WriteJpeg(string path, byte[] rgb, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        AtomicFile.WriteAllBytes(path, LabelImages.Encode(rgb, height, width, SKEncodedImageFormat.Jpeg, 95));
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
