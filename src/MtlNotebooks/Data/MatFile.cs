using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MtlNotebooks.Data;

/// <summary>A value read from a MATLAB file: numeric array, char array, cell array or struct array. Arrays keep
/// MATLAB's column-major order and their dimensions.</summary>
public abstract record MatValue(IReadOnlyList<int> Dimensions)
{
    public int Count => Dimensions.Aggregate(1, (a, b) => a * b);
}

/// <summary>A numeric or logical array (any MATLAB class), as doubles in column-major order.</summary>
public sealed record MatNumeric(IReadOnlyList<int> Dimensions, double[] Data) : MatValue(Dimensions)
{
    /// <summary>Element (row, column) of a 2-D array.</summary>
    public double this[int row, int column] => Data[column * Dimensions[0] + row];
}

/// <summary>A char array as text (columns of a single-row char array, as MATLAB strings are stored).</summary>
public sealed record MatChar(IReadOnlyList<int> Dimensions, string Text) : MatValue(Dimensions);

/// <summary>A cell array: elements in column-major order.</summary>
public sealed record MatCell(IReadOnlyList<int> Dimensions, IReadOnlyList<MatValue> Elements) : MatValue(Dimensions);

/// <summary>A struct array: field names, and per element (column-major) the values of the fields in that order.</summary>
public sealed record MatStruct(IReadOnlyList<int> Dimensions, IReadOnlyList<string> Fields, IReadOnlyList<IReadOnlyList<MatValue>> Elements) : MatValue(Dimensions)
{
    /// <summary>Field <paramref name="field"/> of element <paramref name="element"/>.</summary>
    public MatValue this[int element, string field]
    {
        get
        {
            int index = Fields.ToList().IndexOf(field);
            if (index < 0) throw new KeyNotFoundException($"struct has no field '{field}'; fields: {string.Join(", ", Fields)}");
            return Elements[element][index];
        }
    }
}

/// <summary>
/// MATLAB level-5 MAT-files (what scipy.io.loadmat reads and PASCAL-Context's LabelMap and Pascal-Part annotations use):
/// little-endian files with compressed or plain variables of numeric, logical, char, cell and struct classes. Sparse,
/// complex (only the real part is kept), object and v7.3 (HDF5) files are not supported; errors name the file.
/// </summary>
public static class MatFile
{
    private const int MiInt8 = 1, MiUInt8 = 2, MiInt16 = 3, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6, MiSingle = 7, MiDouble = 9,
        MiInt64 = 12, MiUInt64 = 13, MiMatrix = 14, MiCompressed = 15, MiUtf8 = 16, MiUtf16 = 17, MiUtf32 = 18;
    private const int MxCell = 1, MxStruct = 2, MxObject = 3, MxChar = 4, MxSparse = 5;

    /// <summary>Every variable of the file, by name.</summary>
    public static IReadOnlyDictionary<string, MatValue> Read(string path)
    {
        var bytes = ImageIO.ReadFile(path);
        if (bytes.Length < 128) throw new DataSetException(path, "is not a MATLAB 5 MAT-file (shorter than its 128-byte header).");
        if (Encoding.ASCII.GetString(bytes, 0, 8) == "\x89HDF\r\n\x1a\n" || Encoding.ASCII.GetString(bytes, 0, 19).Contains("7.3"))
            throw new DataSetException(path, "is a MATLAB 7.3 (HDF5) file; save it with -v7 or -v6 to read it here.");
        if (bytes[126] != (byte)'I' || bytes[127] != (byte)'M')
            throw new DataSetException(path, "is not a little-endian MATLAB 5 MAT-file (no 'IM' endian mark at byte 126).");
        try
        {
            var variables = new Dictionary<string, MatValue>(StringComparer.Ordinal);
            int pos = 128;
            while (pos + 8 <= bytes.Length)
            {
                var (type, data, next) = Element(bytes, pos);
                pos = next;
                if (type == MiCompressed)
                {
                    using var inflater = new ZLibStream(new MemoryStream(data.ToArray()), CompressionMode.Decompress);
                    using var plain = new MemoryStream();
                    inflater.CopyTo(plain);
                    var inner = plain.ToArray();
                    var (innerType, innerData, _) = Element(inner, 0);
                    if (innerType != MiMatrix) continue;
                    var (name, value) = Matrix(innerData);
                    variables[name] = value;
                }
                else if (type == MiMatrix)
                {
                    var (name, value) = Matrix(data);
                    variables[name] = value;
                }
            }
            return variables;
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException or IndexOutOfRangeException or NotSupportedException)
        {
            throw new DataSetException(path, $"is not a readable MATLAB 5 MAT-file ({ex.Message}).", ex);
        }
    }

    /// <summary>The variable <paramref name="name"/> as a 2-D numeric array [rows, columns] in row-major order.</summary>
    public static (float[] Values, int Rows, int Columns) ReadMatrix(string path, string name)
    {
        var variables = Read(path);
        if (!variables.TryGetValue(name, out var value))
            throw new DataSetException(path, $"has no variable '{name}'; it holds {string.Join(", ", variables.Keys)}.");
        if (value is not MatNumeric numeric || numeric.Dimensions.Count != 2)
            throw new DataSetException(path, $"variable '{name}' is not a 2-D numeric array.");
        int rows = numeric.Dimensions[0], columns = numeric.Dimensions[1];
        var result = new float[rows * columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                result[r * columns + c] = (float)numeric.Data[c * rows + r];
        return (result, rows, columns);
    }

    /// <summary>One data element at <paramref name="pos"/>: its type, its data and where the next element starts.</summary>
    private static (int Type, ReadOnlyMemory<byte> Data, int Next) Element(byte[] bytes, int pos)
    {
        uint first = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos));
        if ((first >> 16) != 0)
        {
            // Small data element: type and size in one word, up to 4 bytes of data in the next.
            int smallType = (int)(first & 0xFFFF), smallSize = (int)(first >> 16);
            return (smallType, bytes.AsMemory(pos + 4, smallSize), pos + 8);
        }
        int type = (int)first;
        int size = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 4));
        if (size < 0 || pos + 8 + size > bytes.Length) throw new InvalidDataException($"element of type {type} at byte {pos} is truncated");
        int next = pos + 8 + size;
        if (type != MiCompressed) next = pos + 8 + (size + 7) / 8 * 8;
        return (type, bytes.AsMemory(pos + 8, size), next);
    }

    private static (string Name, MatValue Value) Matrix(ReadOnlyMemory<byte> memory)
    {
        var bytes = memory.ToArray();
        if (bytes.Length == 0) return ("", new MatNumeric([0, 0], []));
        var (_, flags, p1) = Element(bytes, 0);
        int mxClass = (int)(BinaryPrimitives.ReadUInt32LittleEndian(flags.Span) & 0xFF);
        var (_, dimsData, p2) = Element(bytes, p1);
        var dims = new int[dimsData.Length / 4];
        for (int i = 0; i < dims.Length; i++) dims[i] = BinaryPrimitives.ReadInt32LittleEndian(dimsData.Span[(4 * i)..]);
        var (_, nameData, pos) = Element(bytes, p2);
        var name = Encoding.ASCII.GetString(nameData.Span);
        int count = dims.Aggregate(1, (a, b) => a * b);
        switch (mxClass)
        {
            case MxCell:
            {
                var elements = new List<MatValue>(count);
                for (int i = 0; i < count; i++)
                {
                    var (_, data, next) = Element(bytes, pos);
                    pos = next;
                    elements.Add(Matrix(data).Value);
                }
                return (name, new MatCell(dims, elements));
            }
            case MxStruct:
            {
                var (_, lengthData, p3) = Element(bytes, pos);
                int fieldLength = BinaryPrimitives.ReadInt32LittleEndian(lengthData.Span);
                var (_, namesData, p4) = Element(bytes, p3);
                pos = p4;
                var fields = new List<string>();
                for (int f = 0; fieldLength > 0 && (f + 1) * fieldLength <= namesData.Length; f++)
                    fields.Add(Encoding.ASCII.GetString(namesData.Span.Slice(f * fieldLength, fieldLength)).TrimEnd('\0'));
                var elements = new List<IReadOnlyList<MatValue>>(count);
                for (int i = 0; i < count; i++)
                {
                    var values = new List<MatValue>(fields.Count);
                    for (int f = 0; f < fields.Count; f++)
                    {
                        var (_, data, next) = Element(bytes, pos);
                        pos = next;
                        values.Add(Matrix(data).Value);
                    }
                    elements.Add(values);
                }
                return (name, new MatStruct(dims, fields, elements));
            }
            case MxChar:
            {
                var (type, data, _) = Element(bytes, pos);
                string text = type switch
                {
                    MiUtf8 or MiUInt8 or MiInt8 => Encoding.UTF8.GetString(data.Span),
                    MiUtf16 or MiUInt16 => Encoding.Unicode.GetString(data.Span),
                    MiUtf32 => Encoding.UTF32.GetString(data.Span),
                    _ => throw new InvalidDataException($"char data of element type {type}"),
                };
                return (name, new MatChar(dims, text));
            }
            case MxObject or MxSparse:
                throw new NotSupportedException(mxClass == MxSparse ? "sparse arrays are not supported" : "objects are not supported");
            default:
            {
                var (type, data, _) = Element(bytes, pos);
                return (name, new MatNumeric(dims, Numbers(type, data.Span, count)));
            }
        }
    }

    private static double[] Numbers(int type, ReadOnlySpan<byte> data, int count)
    {
        int size = type switch
        {
            MiInt8 or MiUInt8 => 1,
            MiInt16 or MiUInt16 => 2,
            MiInt32 or MiUInt32 or MiSingle => 4,
            MiDouble or MiInt64 or MiUInt64 => 8,
            _ => throw new InvalidDataException($"numeric data of element type {type}"),
        };
        if (data.Length < count * size) throw new InvalidDataException($"numeric data holds {data.Length / size} values, the dimensions need {count}");
        var result = new double[count];
        for (int i = 0; i < count; i++)
        {
            var item = data.Slice(i * size, size);
            result[i] = type switch
            {
                MiInt8 => (sbyte)item[0],
                MiUInt8 => item[0],
                MiInt16 => BinaryPrimitives.ReadInt16LittleEndian(item),
                MiUInt16 => BinaryPrimitives.ReadUInt16LittleEndian(item),
                MiInt32 => BinaryPrimitives.ReadInt32LittleEndian(item),
                MiUInt32 => BinaryPrimitives.ReadUInt32LittleEndian(item),
                MiSingle => BinaryPrimitives.ReadSingleLittleEndian(item),
                MiDouble => BinaryPrimitives.ReadDoubleLittleEndian(item),
                MiInt64 => BinaryPrimitives.ReadInt64LittleEndian(item),
                _ => BinaryPrimitives.ReadUInt64LittleEndian(item),
            };
        }
        return result;
    }
}
