using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace MtlNotebooks.Data;

/// <summary>
/// The header of a .npy file: dtype (normalised to an explicit byte order, e.g. <c>&lt;f4</c>), memory order, shape and
/// where the data starts. Parsing it also checks that the file holds exactly the data the shape describes, so a cut or
/// garbled file is caught from its header alone.
/// </summary>
public sealed record NpyHeader(string Dtype, bool FortranOrder, IReadOnlyList<int> Shape, int DataOffset)
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Bytes to read to be sure of holding the fixed part before the header dict (magic, version, length).</summary>
    internal const int PreambleLength = 12;

    /// <summary>The number of elements (validated to fit one array).</summary>
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Bytes per element.</summary>
    public int ItemSize => Dtype[2] - '0';

    public char Kind => Dtype[1];

    public bool LittleEndian => Dtype[0] == '<';

    /// <summary>The shape as numpy prints it: (480, 640), (5,), ().</summary>
    public string ShapeText => Text(Shape.Select(d => (long)d).ToList());

    private static string Text(IReadOnlyList<long> shape) => $"({string.Join(", ", shape)}{(shape.Count == 1 ? "," : "")})";

    /// <summary>Where the header dict starts and how long it is, from the file's first bytes.</summary>
    internal static (int Start, int Length) Preamble(string path, ReadOnlySpan<byte> bytes, long fileLength)
    {
        if (bytes.Length < Magic.Length || !bytes[..Magic.Length].SequenceEqual(Magic))
            throw new DataSetException(path, "is not a .npy file (no \\x93NUMPY magic at the start).");
        if (bytes.Length < 10) throw new DataSetException(path, $"is truncated: it ends inside the .npy preamble ({fileLength:N0} bytes).");
        int major = bytes[6];
        long length;
        int start;
        if (major == 1) (length, start) = (BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]), 10);
        else if (major is 2 or 3)
        {
            if (bytes.Length < 12) throw new DataSetException(path, $"is truncated: it ends inside the .npy preamble ({fileLength:N0} bytes).");
            (length, start) = (BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]), 12);
        }
        else throw new DataSetException(path, $"has .npy format version {major}, which this reader does not know (1-3); the file may be corrupt.");
        if (start + length > fileLength) throw DataSetException.Overrun(path, "the .npy header", length, fileLength - start, fileLength);
        return (start, (int)length);
    }

    /// <summary>Parses the header from <paramref name="head"/> (the file's first bytes, header included) and checks the
    /// data size against <paramref name="fileLength"/>.</summary>
    internal static NpyHeader Parse(string path, ReadOnlySpan<byte> head, long fileLength)
    {
        var (start, length) = Preamble(path, head, fileLength);
        if (start + length > head.Length) throw new DataSetException(path, "is truncated: it ends inside the .npy header.");
        var text = (head[6] == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(head.Slice(start, length));
        var entries = new DictReader(path, text).Read();
        foreach (var key in entries.Keys.Where(k => k is not ("descr" or "fortran_order" or "shape")))
            throw new DataSetException(path, $"has an unknown key '{key}' in its .npy header (numpy writes descr, fortran_order and shape): {DictReader.Excerpt(text)}");
        var descr = entries.GetValueOrDefault("descr") switch
        {
            string s => s,
            null => throw Missing(path, "descr", text),
            List<object> => throw new DataSetException(path, "has a structured (record) dtype; this reader takes plain number arrays."),
            _ => throw new DataSetException(path, $"has a .npy header whose 'descr' is not a dtype string: {DictReader.Excerpt(text)}"),
        };
        var fortran = entries.GetValueOrDefault("fortran_order") as bool? ?? throw (entries.ContainsKey("fortran_order")
            ? new DataSetException(path, $"has a .npy header whose 'fortran_order' is not True or False: {DictReader.Excerpt(text)}")
            : Missing(path, "fortran_order", text));
        var dims = entries.GetValueOrDefault("shape") as List<long> ?? throw (entries.ContainsKey("shape")
            ? new DataSetException(path, $"has a .npy header whose 'shape' is not a tuple of integers: {DictReader.Excerpt(text)}")
            : Missing(path, "shape", text));
        var dtype = Normalise(path, descr);
        var shape = CheckShape(path, dims);
        var header = new NpyHeader(dtype, fortran, shape, start + length);
        long needed = header.Count * header.ItemSize, available = fileLength - header.DataOffset;
        if (needed > available) throw DataSetException.Overrun(path, $"the data of shape {header.ShapeText} {dtype}", needed, available, fileLength);
        if (needed < available)
            throw new DataSetException(path, $"has {available - needed:N0} bytes after the data its shape {header.ShapeText} of {dtype} describes; the header or the data is corrupt.");
        return header;
    }

    private static DataSetException Missing(string path, string key, string text) =>
        new(path, $"has no '{key}' in its .npy header: {DictReader.Excerpt(text)}");

    private static string Normalise(string path, string descr)
    {
        bool plain = descr.Length == 3 && "<>|=".Contains(descr[0]) && descr[1..] is "f2" or "f4" or "f8" or "i1" or "i2" or "i4" or "i8"
            or "u1" or "u2" or "u4" or "u8" or "b1";
        if (!plain)
            throw new DataSetException(path, $"has dtype '{descr}', which is not a number type this reader supports (float16/32/64, (u)int8-64, bool).");
        return descr[0] switch
        {
            '=' => (BitConverter.IsLittleEndian ? "<" : ">") + descr[1..],
            '|' => "<" + descr[1..],      // '|' marks single bytes, where order does not matter
            _ => descr,
        };
    }

    private static int[] CheckShape(string path, List<long> dims)
    {
        if (dims.Any(d => d < 0))
            throw new DataSetException(path, $"has a corrupt .npy header: shape {Text(dims)} has a negative dimension.");
        long count = 1;
        foreach (var d in dims)
        {
            // Past Array.MaxLength no reader could hold the data: the shape, not the disk, is wrong.
            if (d > Array.MaxLength || (count = count * d) > Array.MaxLength)
                throw new DataSetException(path, $"has a corrupt .npy header: shape {Text(dims)} claims more elements than an array can hold.");
        }
        return dims.Select(d => (int)d).ToArray();
    }

    /// <summary>Reads the Python dict literal numpy writes: string keys; string, True/False, tuple-of-int or list values.</summary>
    private sealed class DictReader(string path, string text)
    {
        private int _pos;

        public static string Excerpt(string text)
        {
            var t = text.Trim();
            return t.Length <= 120 ? t : t[..120] + "…";
        }

        public Dictionary<string, object> Read()
        {
            var result = new Dictionary<string, object>(StringComparer.Ordinal);
            Expect('{');
            while (true)
            {
                if (Peek() == '}') break;
                var key = String();
                Expect(':');
                if (!result.TryAdd(key, Value())) Fail($"'{key}' only once");
                if (Peek() == ',') _pos++;
                else if (Peek() != '}') Fail("',' or '}'");
            }
            _pos++;
            if (Peek() != '\0') Fail("the end of the header after '}'");
            return result;
        }

        private object Value() => Peek() switch
        {
            '\'' or '"' => String(),
            '(' => Tuple(),
            '[' => List(),
            'T' when Word("True") => true,
            'F' when Word("False") => false,
            _ => Fail("a value"),
        };

        private List<long> Tuple()
        {
            var dims = new List<long>();
            Expect('(');
            while (Peek() != ')')
            {
                dims.Add(Integer());
                if (Peek() == ',') _pos++;
                else if (Peek() != ')') Fail("',' or ')' in the shape");
            }
            _pos++;
            return dims;
        }

        private List<object> List()
        {
            // Structured dtypes are lists of tuples; skip to the matching bracket so the error can say what it is.
            int depth = 0;
            do
            {
                char c = _pos < text.Length ? text[_pos++] : Fail<char>("']'");
                depth += c == '[' ? 1 : c == ']' ? -1 : 0;
            } while (depth > 0);
            return [];
        }

        private long Integer()
        {
            Peek();
            int start = _pos;
            if (_pos < text.Length && text[_pos] == '-') _pos++;
            while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
            var digits = text[start.._pos];
            if (_pos < text.Length && text[_pos] == 'L') _pos++;          // Python 2 long, as old numpy wrote
            if (digits is "" or "-") Fail("an integer");
            // An absurdly long number is still a number: saturate, and let the shape check call it corrupt.
            return long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : digits[0] == '-' ? -1 : long.MaxValue;
        }

        private string String()
        {
            char quote = Peek();
            if (quote is not ('\'' or '"')) Fail("a quoted key");
            int end = text.IndexOf(quote, _pos + 1);
            if (end < 0) Fail("a closing quote");
            var s = text[(_pos + 1)..end];
            _pos = end + 1;
            return s;
        }

        private bool Word(string word)
        {
            if (string.CompareOrdinal(text, _pos, word, 0, word.Length) != 0) return false;
            _pos += word.Length;
            return true;
        }

        private void Expect(char c)
        {
            if (Peek() != c) Fail($"'{c}'");
            _pos++;
        }

        /// <summary>The next non-blank character ('\0' at the end).</summary>
        private char Peek()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
            return _pos < text.Length ? text[_pos] : '\0';
        }

        private object Fail(string expected) => Fail<object>(expected);

        private T Fail<T>(string expected) =>
            throw new DataSetException(path, $"has a garbled .npy header: expected {expected} at character {_pos}: {Excerpt(text)}");
    }
}
