using MtlNotebooks.Runtime;
using System.Buffers.Binary;
using System.Text;

namespace MtlNotebooks.Data;

/// <summary>
/// NumPy's .npy format (versions 1-3): the references store NYUD depth (H×W, metres), normals (H×W×3) and edges (H×W)
/// this way. Reads little- and big-endian float16/32/64, (u)int8/16/32/64 and bool, C or Fortran order, into float32.
/// </summary>
public static class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads the whole array. Errors name the file and what is wrong: a garbled header, a negative or
    /// impossible shape, data cut short or longer than the shape, a dtype that is not a plain number.</summary>
    public static NpyArray Read(string path)
    {
        var bytes = ImageIO.ReadFile(path);
        var header = NpyHeader.Parse(path, bytes, bytes.Length);
        var shape = header.Shape.ToArray();
        int size = header.ItemSize;
        bool little = header.LittleEndian;
        var values = new float[header.Count];
        var data = bytes.AsSpan(header.DataOffset);
        for (int i = 0; i < values.Length; i++)
        {
            var item = data.Slice(i * size, size);
            values[i] = (header.Kind, size) switch
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
                _ => little ? BinaryPrimitives.ReadInt64LittleEndian(item) : BinaryPrimitives.ReadInt64BigEndian(item),
            };
        }
        if (header.FortranOrder && shape.Length > 1) values = ToCOrder(values, shape);
        return new NpyArray(values, shape);
    }

    /// <summary>The header alone (dtype, order, shape), checked against the file's length: reads only the header bytes.</summary>
    public static NpyHeader ReadHeader(string path)
    {
        ImageIO.RequireFile(path);
        try
        {
            using var stream = File.OpenRead(path);
            var preamble = new byte[NpyHeader.PreambleLength];
            int read = stream.ReadAtLeast(preamble, preamble.Length, throwOnEndOfStream: false);
            var (start, length) = NpyHeader.Preamble(path, preamble.AsSpan(0, read), stream.Length);
            var head = new byte[start + length];
            stream.Position = 0;
            stream.ReadExactly(head);
            return NpyHeader.Parse(path, head, stream.Length);
        }
        catch (Exception ex) when (ex is IOException and not DataSetException or UnauthorizedAccessException)
        {
            throw new DataSetException(path, $"cannot be read ({ex.Message}).", ex);
        }
    }

    /// <summary>The shape from the header alone.</summary>
    public static IReadOnlyList<int> ReadShape(string path) => ReadHeader(path).Shape;

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
}
