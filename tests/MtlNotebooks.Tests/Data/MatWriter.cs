using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using MtlNotebooks.Data;

namespace MtlNotebooks.Tests.Data;

/// <summary>Writes MATLAB level-5 MAT-files (as scipy.io.savemat and MATLAB -v7 do) for fixtures: double matrices,
/// char arrays and struct arrays, each variable compressed or plain.</summary>
internal static class MatWriter
{
    private const int MiInt8 = 1, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6, MiDouble = 9, MiMatrix = 14, MiCompressed = 15;

    public static void Write(string path, bool compress, params (string Name, MatValue Value)[] variables)
    {
        using var file = new MemoryStream();
        var header = Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, written by the MtlNotebooks tests".PadRight(116));
        file.Write(header);
        file.Write(new byte[8]);
        file.Write([0x00, 0x01, (byte)'I', (byte)'M']);
        foreach (var (name, value) in variables)
        {
            var matrix = Element(MiMatrix, Matrix(name, value));
            if (!compress)
            {
                file.Write(matrix);
                continue;
            }
            using var packed = new MemoryStream();
            using (var zlib = new ZLibStream(packed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(matrix);
            var data = packed.ToArray();
            var tag = new byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(tag, MiCompressed);
            BinaryPrimitives.WriteUInt32LittleEndian(tag.AsSpan(4), (uint)data.Length);
            file.Write(tag);
            file.Write(data);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, file.ToArray());
    }

    /// <summary>A double matrix from row-major values.</summary>
    public static MatNumeric Matrix(double[] rowMajor, int rows, int columns)
    {
        var data = new double[rows * columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                data[c * rows + r] = rowMajor[r * columns + c];
        return new MatNumeric([rows, columns], data);
    }

    public static MatChar Text(string text) => new([1, text.Length], text);

    /// <summary>A 1 × N struct array.</summary>
    public static MatStruct Structs(string[] fields, params MatValue[][] elements) => new([1, elements.Length], fields, elements);

    private static byte[] Element(int type, byte[] data)
    {
        var result = new byte[8 + (data.Length + 7) / 8 * 8];
        BinaryPrimitives.WriteUInt32LittleEndian(result, (uint)type);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(4), (uint)data.Length);
        data.CopyTo(result, 8);
        return result;
    }

    private static byte[] Matrix(string name, MatValue value)
    {
        int mxClass = value switch { MatStruct => 2, MatChar => 4, MatNumeric => 6, _ => throw new NotSupportedException(value.GetType().Name) };
        using var content = new MemoryStream();
        var flags = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(flags, (uint)mxClass);
        content.Write(Element(MiUInt32, flags));
        var dims = new byte[4 * value.Dimensions.Count];
        for (int i = 0; i < value.Dimensions.Count; i++) BinaryPrimitives.WriteInt32LittleEndian(dims.AsSpan(4 * i), value.Dimensions[i]);
        content.Write(Element(MiInt32, dims));
        content.Write(Element(MiInt8, Encoding.ASCII.GetBytes(name)));
        switch (value)
        {
            case MatNumeric numeric:
                var numbers = new byte[8 * numeric.Data.Length];
                for (int i = 0; i < numeric.Data.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(numbers.AsSpan(8 * i), numeric.Data[i]);
                content.Write(Element(MiDouble, numbers));
                break;
            case MatChar text:
                content.Write(Element(MiUInt16, Encoding.Unicode.GetBytes(text.Text)));
                break;
            case MatStruct structs:
                const int fieldLength = 32;
                // MATLAB stores the field name length as a small data element (type and size in one word).
                var small = new byte[8];
                BinaryPrimitives.WriteUInt32LittleEndian(small, (4u << 16) | MiInt32);
                BinaryPrimitives.WriteInt32LittleEndian(small.AsSpan(4), fieldLength);
                content.Write(small);
                var names = new byte[fieldLength * structs.Fields.Count];
                for (int f = 0; f < structs.Fields.Count; f++) Encoding.ASCII.GetBytes(structs.Fields[f]).CopyTo(names, f * fieldLength);
                content.Write(Element(MiInt8, names));
                foreach (var element in structs.Elements)
                    foreach (var field in element)
                        content.Write(Element(MiMatrix, Matrix("", field)));
                break;
        }
        return content.ToArray();
    }
}
