using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MtlNotebooks.Data;

/// <summary>An array read from a .npy file, as float32 in C order, with its shape.</summary>
public sealed record NpyArray(float[] Values, IReadOnlyList<int> Shape);

/// <summary>
/// NumPy's .npy format (versions 1-3): the references store NYUD depth (H×W, metres), normals (H×W×3) and edges (H×W)
/// this way. Reads little- and big-endian float16/32/64, (u)int8/16/32/64 and bool, C or Fortran order, into float32.
/// </summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads the whole array. Errors name the file and what is wrong.</summary>
    public static NpyArray Read(string path)
    {
        var bytes = ImageIO.ReadFile(path);
        var (descr, fortran, shape, offset) = ParseHeader(path, bytes);
        long count = shape.Aggregate(1L, (a, b) => a * b);
        bool little = descr[0] != '>';
        char kind = descr[1];
        int size = int.Parse(descr.AsSpan(2), CultureInfo.InvariantCulture);
        if (offset + count * size > bytes.Length)
            throw new DataSetException(path, $"is truncated: shape ({string.Join(", ", shape)}) of {descr} needs {count * size} bytes of data, the file has {bytes.Length - offset}.");
        var values = new float[count];
        var data = bytes.AsSpan(offset);
        for (long i = 0; i < count; i++)
        {
            var item = data.Slice((int)(i * size), size);
            values[i] = (kind, size) switch
            {
                ('f', 4) => little ? BinaryPrimitives.ReadSingleLittleEndian(item) : BinaryPrimitives.ReadSingleBigEndian(item),
                ('f', 8) => (float)(little ? BinaryPrimitives.ReadDoubleLittleEndian(item) : BinaryPrimitives.ReadDoubleBigEndian(item)),
                ('f', 2) => (float)(little ? BinaryPrimitives.ReadHalfLittleEndian(item) : BinaryPrimitives.ReadHalfBigEndian(item)),
                ('u', 1) or ('b', 1) => item[0],
                ('i', 1) => (sbyte)item[0],
                ('u', 2) => little ? BinaryPrimitives.ReadUInt16LittleEndian(item) : BinaryPrimitives.ReadUInt16BigEndian(item),
                ('i', 2) => little ? BinaryPrimitives.ReadInt16LittleEndian(item) : BinaryPrimitives.ReadInt16BigEndian(item),
                ('u', 4) => little ? BinaryPrimitives.ReadUInt32LittleEndian(item) : BinaryPrimitives.ReadUInt32BigEndian(item),
                ('i', 4) => little ? BinaryPrimitives.ReadInt32LittleEndian(item) : BinaryPrimitives.ReadInt32BigEndian(item),
                ('u', 8) => little ? BinaryPrimitives.ReadUInt64LittleEndian(item) : BinaryPrimitives.ReadUInt64BigEndian(item),
                ('i', 8) => little ? BinaryPrimitives.ReadInt64LittleEndian(item) : BinaryPrimitives.ReadInt64BigEndian(item),
                _ => throw new DataSetException(path, $"has dtype '{descr}', which is not a number type this reader supports."),
            };
        }
        if (fortran && shape.Length > 1) values = ToCOrder(values, shape);
        return new NpyArray(values, shape);
    }

    /// <summary>The shape from the header alone.</summary>
    public static IReadOnlyList<int> ReadShape(string path)
    {
        ImageIO.RequireFile(path);
        var head = new byte[4096];
        int read;
        using (var stream = File.OpenRead(path)) read = stream.Read(head, 0, head.Length);
        return ParseHeader(path, head.AsSpan(0, read).ToArray()).Shape;
    }

    /// <summary>Writes float32 values (C order) as a version-1 .npy file, atomically.</summary>
    public static void Write(string path, float[] values, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (shape.Aggregate(1L, (a, b) => a * b) != values.Length)
            throw new ArgumentException($"Shape ({string.Join(", ", shape)}) does not hold {values.Length} values.", nameof(shape));
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}{(shape.Length == 1 ? "," : "")}), }}";
        int total = Magic.Length + 4 + dict.Length + 1;
        var header = dict + new string(' ', (64 - total % 64) % 64) + "\n";
        using var stream = new MemoryStream();
        stream.Write(Magic);
        stream.WriteByte(1);
        stream.WriteByte(0);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        stream.Write(len);
        stream.Write(Encoding.ASCII.GetBytes(header));
        Span<byte> word = stackalloc byte[4];
        foreach (var v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(word, v);
            stream.Write(word);
        }
        AtomicFile.WriteAllBytes(path, stream.ToArray());
    }

    private static (string Descr, bool Fortran, int[] Shape, int Offset) ParseHeader(string path, byte[] bytes)
    {
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
            throw new DataSetException(path, "is not a .npy file (no \\x93NUMPY magic).");
        int major = bytes[6];
        int headerLength, start;
        if (major == 1) (headerLength, start) = (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)), 10);
        else if (major is 2 or 3 && bytes.Length >= 12) (headerLength, start) = ((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)), 12);
        else throw new DataSetException(path, $"has .npy format version {major}, which this reader does not know (1-3).");
        if (start + headerLength > bytes.Length) throw new DataSetException(path, "has a truncated .npy header.");
        var header = Encoding.UTF8.GetString(bytes, start, headerLength);
        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw new DataSetException(path, $"has a .npy header that cannot be parsed: {header.Trim()}");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        var d0 = descr.Groups[1].Value;
        if (d0.Length < 3 || "<>|=".IndexOf(d0[0]) < 0)
            throw new DataSetException(path, $"has dtype '{d0}', which is not a plain number type.");
        if (d0[0] == '=') d0 = (BitConverter.IsLittleEndian ? "<" : ">") + d0[1..];
        if (d0[0] == '|') d0 = "<" + d0[1..];
        return (d0, fortran.Groups[1].Value == "True", dims, start + headerLength);
    }

    private static float[] ToCOrder(float[] values, int[] shape)
    {
        // Fortran order: the first index varies fastest.
        var result = new float[values.Length];
        var index = new int[shape.Length];
        for (int f = 0; f < values.Length; f++)
        {
            long c = 0;
            for (int k = 0; k < shape.Length; k++) c = c * shape[k] + index[k];
            result[c] = values[f];
            for (int k = 0; k < shape.Length && ++index[k] == shape[k]; k++) index[k] = 0;
        }
        return result;
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']+)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
