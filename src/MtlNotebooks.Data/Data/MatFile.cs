using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MtlNotebooks.Data;

/// <summary>
/// MATLAB level-5 MAT-files (what scipy.io.loadmat reads and PASCAL-Context's LabelMap and Pascal-Part annotations use):
/// little-endian files with compressed or plain variables of numeric, logical, char, cell and struct classes. Sparse,
/// complex (only the real part is kept), object and v7.3 (HDF5) files are not supported. Every length is checked before
/// it is used: a cut file says "is truncated", a length or dimension no file could hold says "is corrupt"; errors name
/// the file.
/// </summary>
public static class MatFile
{
    private const int MiInt8 = 1, MiUInt8 = 2, MiInt16 = 3, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6, MiSingle = 7, MiDouble = 9,
        MiInt64 = 12, MiUInt64 = 13, MiMatrix = 14, MiCompressed = 15, MiUtf8 = 16, MiUtf16 = 17, MiUtf32 = 18;
    private const int MxCell = 1, MxStruct = 2, MxObject = 3, MxChar = 4, MxSparse = 5, MxLastNumeric = 15;
    private const int HeaderLength = 128;

    // Real annotations nest a few levels (struct → struct → cell); a deeper file is corrupt, and recursion must end.
    private const int MaxDepth = 32;

    /// <summary>Every variable of the file, by name.</summary>
    public static IReadOnlyDictionary<string, MatValue> Read(string path)
    {
        var bytes = ImageIO.ReadFile(path);
        CheckHeader(path, bytes, bytes.Length);
        try
        {
            var variables = new Dictionary<string, MatValue>(StringComparer.Ordinal);
            int pos = HeaderLength;
            while (pos < bytes.Length)
            {
                var (type, data, next) = Element(path, bytes, pos, null);
                var where = $"the variable at byte {pos:N0}";
                pos = next;
                if (type == MiCompressed)
                {
                    var inner = Inflate(path, data, where);
                    var (innerType, innerData, _) = Element(path, inner, 0, where);
                    if (innerType != MiMatrix) continue;
                    var (name, value) = Matrix(path, innerData, where, 0);
                    variables[name] = value;
                }
                else if (type == MiMatrix)
                {
                    var (name, value) = Matrix(path, data, where, 0);
                    variables[name] = value;
                }
            }
            return variables;
        }
        catch (Exception ex) when (ex is ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            // Every length is checked above; this only keeps a missed case naming the file.
            throw new DataSetException(path, $"is corrupt: not a readable MATLAB 5 MAT-file ({ex.Message}).", ex);
        }
    }

    /// <summary>The header and the chain of top-level variables of a file on disk, without decompressing them: catches
    /// cut and corrupt files at the cost of reading 8 bytes per variable.</summary>
    public static void CheckStructure(string path)
    {
        ImageIO.RequireFile(path);
        try
        {
            using var stream = File.OpenRead(path);
            var head = new byte[HeaderLength];
            int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            CheckHeader(path, head.AsSpan(0, read), stream.Length);
            long pos = HeaderLength, length = stream.Length;
            var tag = new byte[8];
            if (pos == length) throw new DataSetException(path, "is truncated: it ends after its 128-byte header, with no variables.");
            while (pos < length)
            {
                stream.Position = pos;
                if (stream.ReadAtLeast(tag, 8, throwOnEndOfStream: false) < 8) throw CutTag(path, pos, length);
                uint first = BinaryPrimitives.ReadUInt32LittleEndian(tag);
                if ((first >> 16) != 0) { pos += 8; continue; }
                long size = BinaryPrimitives.ReadUInt32LittleEndian(tag.AsSpan(4));
                if (pos + 8 + size > length) throw DataSetException.Overrun(path, $"the variable at byte {pos:N0}", size, length - pos - 8, length);
                pos = first == MiCompressed ? pos + 8 + size : Math.Min(length, pos + 8 + (size + 7) / 8 * 8);
            }
        }
        catch (Exception ex) when (ex is IOException and not DataSetException or UnauthorizedAccessException)
        {
            throw new DataSetException(path, $"cannot be read ({ex.Message}).", ex);
        }
    }

    /// <summary>The variable <paramref name="name"/> as a 2-D numeric array [rows, columns] in row-major order.</summary>
    public static (float[] Values, int Rows, int Columns) ReadMatrix(string path, string name)
    {
        var variables = Read(path);
        if (!variables.TryGetValue(name, out var value))
            throw new DataSetException(path, $"has no variable '{name}'; it holds {(variables.Count == 0 ? "none" : string.Join(", ", variables.Keys))}.");
        if (value is not MatNumeric numeric || numeric.Dimensions.Count != 2)
            throw new DataSetException(path, $"variable '{name}' is not a 2-D numeric array.");
        int rows = numeric.Dimensions[0], columns = numeric.Dimensions[1];
        var result = new float[rows * columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                result[r * columns + c] = (float)numeric.Data[c * rows + r];
        return (result, rows, columns);
    }

    private static void CheckHeader(string path, ReadOnlySpan<byte> head, long length)
    {
        bool matlab = head.StartsWith("MATLAB"u8);
        if (length < HeaderLength)
            throw new DataSetException(path, matlab
                ? $"is truncated: it ends inside its 128-byte MAT-file header ({length:N0} bytes)."
                : "is not a MATLAB 5 MAT-file (shorter than its 128-byte header).");
        if (head.StartsWith("\x89HDF\r\n\x1a\n"u8) || head[..19].IndexOf("7.3"u8) >= 0)
            throw new DataSetException(path, "is a MATLAB 7.3 (HDF5) file; save it with -v7 or -v6 to read it here.");
        if (head[126] == 'M' && head[127] == 'I')
            throw new DataSetException(path, "is a big-endian MAT-file; save it on a little-endian machine (or with scipy.io.savemat) to read it here.");
        if (head[126] != 'I' || head[127] != 'M')
            throw new DataSetException(path, "is not a little-endian MATLAB 5 MAT-file (no 'IM' endian mark at byte 126).");
    }

    private static DataSetException CutTag(string path, long pos, long length) =>
        new(path, $"is truncated: it ends at byte {length:N0}, inside the tag of the element at byte {pos:N0}.");

    /// <summary>One data element at <paramref name="pos"/>: its type, its data and where the next element starts. At the
    /// top level (<paramref name="where"/> null) a length past the end is a cut file; inside a variable it is corruption.</summary>
    private static (int Type, ReadOnlyMemory<byte> Data, int Next) Element(string path, byte[] bytes, int pos, string? where)
    {
        if (pos + 8 > bytes.Length)
            throw where is null ? CutTag(path, pos, bytes.Length) : Corrupt(path, where, $"an element at byte {pos:N0} is cut off");
        uint first = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos));
        if ((first >> 16) != 0)
        {
            // Small data element: type and size in one word, up to 4 bytes of data in the next.
            int smallType = (int)(first & 0xFFFF), smallSize = (int)(first >> 16);
            if (smallSize > 4) throw Corrupt(path, where ?? $"the element at byte {pos:N0}", $"a small element claims {smallSize} bytes (at most 4)");
            return (smallType, bytes.AsMemory(pos + 4, smallSize), pos + 8);
        }
        int type = (int)first;
        long size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 4));
        if (pos + 8 + size > bytes.Length)
            throw where is null
                ? DataSetException.Overrun(path, $"the variable at byte {pos:N0}", size, bytes.Length - pos - 8L, bytes.Length)
                : Corrupt(path, where, $"an element at byte {pos:N0} claims {size:N0} bytes, only {bytes.Length - pos - 8:N0} remain");
        long next = type == MiCompressed ? pos + 8 + size : Math.Min(bytes.Length, pos + 8 + (size + 7) / 8 * 8);
        return (type, bytes.AsMemory(pos + 8, (int)size), (int)next);
    }

    private static DataSetException Corrupt(string path, string where, string what) => new(path, $"is corrupt: {where}: {what}.");

    private static byte[] Inflate(string path, ReadOnlyMemory<byte> data, string where)
    {
        try
        {
            using var inflater = new ZLibStream(new MemoryStream(data.ToArray()), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            inflater.CopyTo(plain);
            return plain.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw Corrupt(path, where, $"its compressed data does not inflate ({ex.Message})");
        }
    }

    private static (string Name, MatValue Value) Matrix(string path, ReadOnlyMemory<byte> memory, string where, int depth)
    {
        if (depth > MaxDepth) throw Corrupt(path, where, $"arrays nest deeper than {MaxDepth} levels");
        var bytes = memory.ToArray();
        if (bytes.Length == 0) return ("", new MatNumeric([0, 0], []));
        var (flagsType, flags, p1) = Element(path, bytes, 0, where);
        if (flagsType != MiUInt32 || flags.Length < 8) throw Corrupt(path, where, "an array has no array-flags element");
        int mxClass = (int)(BinaryPrimitives.ReadUInt32LittleEndian(flags.Span) & 0xFF);
        var (dimsType, dimsData, p2) = Element(path, bytes, p1, where);
        if (dimsType != MiInt32 || dimsData.Length < 8 || dimsData.Length % 4 != 0) throw Corrupt(path, where, "an array has no dimensions element");
        var dims = new int[dimsData.Length / 4];
        long count = 1;
        for (int i = 0; i < dims.Length; i++) dims[i] = BinaryPrimitives.ReadInt32LittleEndian(dimsData.Span[(4 * i)..]);
        foreach (var d in dims)
            if (d < 0 || (count *= d) > Array.MaxLength)
                throw Corrupt(path, where, $"an array has dimensions {string.Join("x", dims)}, which no array can have");
        var (_, nameData, pos) = Element(path, bytes, p2, where);
        var name = Encoding.ASCII.GetString(nameData.Span);
        if (name.Length > 0) where = $"variable '{name}'";
        switch (mxClass)
        {
            case MxCell:
            {
                var elements = new List<MatValue>();
                for (int i = 0; i < count; i++)
                {
                    var (type, data, next) = Element(path, bytes, pos, where);
                    if (type != MiMatrix) throw Corrupt(path, where, $"cell {i} is an element of type {type}, not an array");
                    pos = next;
                    elements.Add(Matrix(path, data, where, depth + 1).Value);
                }
                return (name, new MatCell(dims, elements));
            }
            case MxStruct:
            {
                var (_, lengthData, p3) = Element(path, bytes, pos, where);
                int fieldLength = lengthData.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(lengthData.Span) : 0;
                var (_, namesData, p4) = Element(path, bytes, p3, where);
                if (fieldLength <= 0 || namesData.Length % fieldLength != 0)
                    throw Corrupt(path, where, $"a struct has field-name length {fieldLength} for {namesData.Length} bytes of names");
                pos = p4;
                var fields = new List<string>();
                for (int f = 0; f < namesData.Length / fieldLength; f++)
                    fields.Add(Encoding.ASCII.GetString(namesData.Span.Slice(f * fieldLength, fieldLength)).TrimEnd('\0'));
                var elements = new List<IReadOnlyList<MatValue>>();
                for (int i = 0; i < count; i++)
                {
                    var values = new List<MatValue>(fields.Count);
                    for (int f = 0; f < fields.Count; f++)
                    {
                        var (type, data, next) = Element(path, bytes, pos, where);
                        if (type != MiMatrix) throw Corrupt(path, where, $"field '{fields[f]}' is an element of type {type}, not an array");
                        pos = next;
                        values.Add(Matrix(path, data, where, depth + 1).Value);
                    }
                    elements.Add(values);
                }
                return (name, new MatStruct(dims, fields, elements));
            }
            case MxChar:
            {
                var (type, data, _) = Element(path, bytes, pos, where);
                string text = type switch
                {
                    MiUtf8 or MiUInt8 or MiInt8 => Encoding.UTF8.GetString(data.Span),
                    MiUtf16 or MiUInt16 => Encoding.Unicode.GetString(data.Span),
                    MiUtf32 => Encoding.UTF32.GetString(data.Span),
                    _ => throw Corrupt(path, where, $"char data has element type {type}"),
                };
                return (name, new MatChar(dims, text));
            }
            case MxObject or MxSparse:
                throw new DataSetException(path, $"{where} is {(mxClass == MxSparse ? "a sparse array" : "an object")}, which this reader does not support.");
            case > MxLastNumeric or < MxCell:
                throw Corrupt(path, where, $"an array has class {mxClass}, which MATLAB 5 files do not define");
            default:
            {
                var (type, data, _) = Element(path, bytes, pos, where);
                return (name, new MatNumeric(dims, Numbers(path, where, type, data.Span, (int)count)));
            }
        }
    }

    private static double[] Numbers(string path, string where, int type, ReadOnlySpan<byte> data, int count)
    {
        int size = type switch
        {
            MiInt8 or MiUInt8 => 1,
            MiInt16 or MiUInt16 => 2,
            MiInt32 or MiUInt32 or MiSingle => 4,
            MiDouble or MiInt64 or MiUInt64 => 8,
            _ => throw Corrupt(path, where, $"numeric data has element type {type}"),
        };
        if (data.Length < (long)count * size)
            throw Corrupt(path, where, $"its data holds {data.Length / size:N0} values, its dimensions need {count:N0}");
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
