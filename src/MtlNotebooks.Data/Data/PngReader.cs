using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace MtlNotebooks.Data;

/// <summary>
/// Reads PNG files strictly, as libpng does: the IHDR must be well formed, every chunk must fit the file, critical chunks
/// must pass their CRC, the file must reach its IEND chunk, and the image data must inflate to exactly the rows the
/// IHDR describes. Every failure is a <see cref="DataSetException"/> naming the file and what is wrong.
/// </summary>
internal static class PngReader
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Signature, IHDR chunk with its CRC: the first 33 bytes of every PNG.</summary>
    public const int HeadLength = 8 + 8 + 13 + 4;

    // Deflate cannot compress better than about 1032:1, so image data shorter than this share of the rows is cut or corrupt.
    private const long MaxDeflateRatio = 1032;

    public static bool HasSignature(ReadOnlySpan<byte> head) => head.Length >= 8 && head[..8].SequenceEqual(Signature);

    /// <summary>The IHDR of a PNG from its first <see cref="HeadLength"/> bytes.</summary>
    public static PngHeader Header(string path, ReadOnlySpan<byte> head, long fileLength)
    {
        if (!HasSignature(head)) throw new DataSetException(path, "is not a PNG file (bad signature).");
        if (head.Length < HeadLength) throw new DataSetException(path, $"is truncated: it ends inside the PNG header ({fileLength:N0} bytes).");
        uint length = BinaryPrimitives.ReadUInt32BigEndian(head[8..]);
        var type = Encoding.Latin1.GetString(head.Slice(12, 4));
        if (type != "IHDR") throw new DataSetException(path, $"is corrupt: its first chunk is '{Printable(type)}', a PNG starts with IHDR.");
        if (length != 13) throw new DataSetException(path, $"is corrupt: its IHDR chunk has length {length:N0}, a PNG's IHDR has 13.");
        CheckCrc(path, head.Slice(12, 17), head.Slice(29, 4), "IHDR", 8);
        var data = head.Slice(16, 13);
        uint width = BinaryPrimitives.ReadUInt32BigEndian(data), height = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        int bitDepth = data[8], colorType = data[9];
        if (width is 0 or > int.MaxValue || height is 0 or > int.MaxValue)
            throw new DataSetException(path, $"is corrupt: its IHDR says {height}x{width} pixels.");
        bool valid = colorType switch
        {
            0 => bitDepth is 1 or 2 or 4 or 8 or 16,
            3 => bitDepth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => bitDepth is 8 or 16,
            _ => false,
        };
        if (!valid) throw new DataSetException(path, $"is corrupt: its IHDR has colour type {colorType} with bit depth {bitDepth}, which PNG does not allow.");
        if (data[10] != 0 || data[11] != 0 || data[12] > 1)
            throw new DataSetException(path, $"is corrupt: its IHDR has compression {data[10]}, filter {data[11]}, interlace {data[12]} (PNG allows 0, 0, 0-1).");
        return new PngHeader((int)height, (int)width, bitDepth, colorType, data[12] == 1);
    }

    /// <summary>Walks the chunks of a file on disk without reading their data: every chunk fits and the file reaches IEND.</summary>
    public static PngHeader Check(string path, Stream stream)
    {
        var head = new byte[HeadLength];
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var header = Header(path, head.AsSpan(0, read), stream.Length);
        long pos = HeadLength;
        var tag = new byte[8];
        while (true)
        {
            stream.Position = pos;
            if (stream.ReadAtLeast(tag, 8, throwOnEndOfStream: false) < 8) throw NoEnd(path, pos, stream.Length);
            var (type, next) = Chunk(path, tag, pos, stream.Length);
            if (type == "IEND") return header;
            pos = next;
        }
    }

    /// <summary>Decodes the stored samples (palette indices, 16-bit values kept) of a non-interlaced PNG.</summary>
    public static PngSamples Decode(string path, byte[] file)
    {
        var header = Header(path, file, file.Length);
        if (header.Interlaced)
            throw new DataSetException(path, "is an interlaced (Adam7) PNG, which this reader does not support; re-save it without interlacing.");
        var idat = new MemoryStream();
        long pos = HeadLength;
        while (true)
        {
            if (pos + 8 > file.Length) throw NoEnd(path, pos, file.Length);
            var (type, next) = Chunk(path, file.AsSpan((int)pos, 8), pos, file.Length);
            var data = file.AsSpan((int)pos + 8, (int)(next - pos - 12));
            if (char.IsAsciiLetterUpper(type[0])) CheckCrc(path, file.AsSpan((int)pos + 4, data.Length + 4), file.AsSpan((int)next - 4, 4), type, pos);
            if (type == "IEND") break;
            if (type == "IDAT") idat.Write(data);
            pos = next;
        }
        return new PngSamples(Samples(path, header, Inflate(path, header, idat)), header.Height, header.Width, header.Channels);
    }

    /// <summary>The chunk whose 8-byte tag is <paramref name="tag"/>: its type and where the next one starts.</summary>
    private static (string Type, long Next) Chunk(string path, ReadOnlySpan<byte> tag, long pos, long fileLength)
    {
        uint length = BinaryPrimitives.ReadUInt32BigEndian(tag);
        var type = Encoding.Latin1.GetString(tag.Slice(4, 4));
        if (!type.All(char.IsAsciiLetter)) throw new DataSetException(path, $"is corrupt: the chunk at byte {pos:N0} has type '{Printable(type)}', not four letters.");
        if (pos + 12 + length > fileLength) throw DataSetException.Overrun(path, $"chunk {type} at byte {pos:N0}", length + 12L, fileLength - pos, fileLength);
        return (type, pos + 12 + length);
    }

    private static DataSetException NoEnd(string path, long pos, long fileLength) =>
        new(path, $"is truncated: the file ends at byte {fileLength:N0}{(pos < fileLength ? " inside a chunk header" : "")} before its IEND chunk.");

    private static void CheckCrc(string path, ReadOnlySpan<byte> typeAndData, ReadOnlySpan<byte> stored, string type, long pos)
    {
        // PNG's chunk CRC is the standard CRC-32 (ISO 3309) over the type and the data.
        if (Crc32.HashToUInt32(typeAndData) != BinaryPrimitives.ReadUInt32BigEndian(stored))
            throw new DataSetException(path, $"is corrupt: chunk {type} at byte {pos:N0} fails its CRC check.");
    }

    private static byte[] Inflate(string path, PngHeader header, MemoryStream idat)
    {
        int bitsPerPixel = header.Channels * header.BitDepth;
        long rowBytes = ((long)header.Width * bitsPerPixel + 7) / 8, needed = header.Height * (rowBytes + 1);
        if (idat.Length == 0) throw new DataSetException(path, "is truncated or corrupt: it has no image data (IDAT chunk).");
        if (needed > Array.MaxLength || needed > idat.Length * MaxDeflateRatio + 1024)
            throw new DataSetException(path, $"is corrupt: its IHDR says {header.Height}x{header.Width} pixels, more than its {idat.Length:N0} bytes of image data can hold.");
        var raw = new byte[needed];
        idat.Position = 0;
        int got;
        try
        {
            using var inflater = new ZLibStream(idat, CompressionMode.Decompress);
            got = inflater.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException ex)
        {
            throw new DataSetException(path, $"is corrupt: its image data (IDAT) does not inflate ({ex.Message}).", ex);
        }
        if (got < needed)
            throw new DataSetException(path, $"is truncated: its image data (IDAT) inflates to {got:N0} bytes, a {header.Height}x{header.Width} image needs {needed:N0}.");
        return raw;
    }

    private static int[] Samples(string path, PngHeader header, byte[] raw)
    {
        int height = header.Height, width = header.Width, channels = header.Channels, bitDepth = header.BitDepth;
        if ((long)height * width * channels > Array.MaxLength)
            throw new DataSetException(path, $"is too large to decode: {height}x{width}x{channels} samples.");
        int rowBytes = (int)(((long)width * channels * bitDepth + 7) / 8), pixelBytes = Math.Max(1, channels * bitDepth / 8);
        var rows = new byte[height * rowBytes];
        var previous = new byte[rowBytes];
        for (int y = 0; y < height; y++)
        {
            int filter = raw[y * (rowBytes + 1)];
            if (filter > 4) throw new DataSetException(path, $"is corrupt: row {y} has filter type {filter} (PNG has 0-4).");
            var line = rows.AsSpan(y * rowBytes, rowBytes);
            raw.AsSpan(y * (rowBytes + 1) + 1, rowBytes).CopyTo(line);
            for (int i = 0; i < rowBytes; i++)
            {
                int a = i >= pixelBytes ? line[i - pixelBytes] : 0, b = previous[i], c = i >= pixelBytes ? previous[i - pixelBytes] : 0;
                line[i] = filter switch
                {
                    1 => (byte)(line[i] + a),
                    2 => (byte)(line[i] + b),
                    3 => (byte)(line[i] + (a + b) / 2),
                    4 => (byte)(line[i] + Paeth(a, b, c)),
                    _ => line[i],
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
                    _ => (line[s * bitDepth / 8] >> (8 - bitDepth - (s * bitDepth % 8))) & ((1 << bitDepth) - 1),
                };
            }
        }
        return values;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static string Printable(string type) => new(type.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
}
