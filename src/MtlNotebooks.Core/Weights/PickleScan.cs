using System.Text;

namespace MtlNotebooks.Weights;

/// <summary>Walks a pickle's opcodes without building anything, tracking the stack exactly, and refuses any global
/// outside <see cref="AllowedGlobals"/>: a <c>.pth</c> is a pickle, and a pickle may name any Python callable
/// (<c>os.system</c>). Only what <c>torch.save(state_dict)</c> writes passes, so a file is read as data or not at all.
/// Also collects the storages the pickle refers to (needed to lay out a legacy file's data).</summary>
public sealed class PickleScan
{
    /// <summary>The globals a saved state dict or training checkpoint refers to; anything else is refused.</summary>
    public static readonly IReadOnlySet<string> AllowedGlobals = new HashSet<string>(StringComparer.Ordinal)
    {
        "collections.OrderedDict", "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2",
        "torch.DoubleStorage", "torch.FloatStorage", "torch.HalfStorage", "torch.BFloat16Storage", "torch.LongStorage",
        "torch.IntStorage", "torch.ShortStorage", "torch.CharStorage", "torch.ByteStorage", "torch.BoolStorage",
    };

    private const int MaxLine = 1 << 16;
    private const int MaxText = 1 << 24;
    private sealed record Global(string Name);
    private static readonly object Other = new();
    private static readonly object Mark = new();
    private static readonly object None = new();

    private readonly Stream _stream;
    private readonly string _file;
    private readonly List<object?> _stack = [];
    private readonly Dictionary<int, object?> _memo = [];

    private PickleScan(Stream stream, string file) => (_stream, _file) = (stream, file);

    /// <summary>The storages named by persistent ids: archive key, storage type (e.g. "FloatStorage"), element count.</summary>
    public List<(string Key, string StorageType, long Count)> Storages { get; } = [];

    /// <summary>Text keys of every dictionary, in the order the pickle sets them: a state dict's order, which
    /// TorchSharp.PyBridge's hash tables do not keep.</summary>
    public List<string> DictionaryKeys { get; } = [];

    /// <summary>Scans one pickle from the stream's position up to and including its STOP opcode; the stream is left
    /// just after it. Throws <see cref="InvalidDataException"/> naming <paramref name="file"/> and the offending global,
    /// or the file as corrupt when the opcodes do not form a pickle.</summary>
    public static PickleScan Run(Stream stream, string file)
    {
        var scan = new PickleScan(stream, file);
        scan.Walk();
        return scan;
    }

    private void Walk()
    {
        while (true)
        {
            int op = _stream.ReadByte();
            switch (op)
            {
                case -1: throw Corrupt("it ends inside a pickle");
                case '.': return;                                               // STOP
                case '(': _stack.Add(Mark); break;                              // MARK
                case '0': if (_stack.Count > 0 && ReferenceEquals(_stack[^1], Mark)) PopMark(); else Pop(); break; // POP
                case '1': PopMark(); break;                                     // POP_MARK
                case '2': Push(Peek()); break;                                  // DUP
                case 'F' or 'I' or 'L': Line(); Push(Other); break;             // FLOAT, INT, LONG
                case 'J': Push((long)BitConverter.ToInt32(Bytes(4))); break;    // BININT
                case 'K': Push((long)Bytes(1)[0]); break;                       // BININT1
                case 'M': Push((long)BitConverter.ToUInt16(Bytes(2))); break;   // BININT2
                case 'G': Bytes(8); Push(Other); break;                         // BINFLOAT
                case 'N': Push(None); break;                                    // NONE
                case 0x88 or 0x89: Push(Other); break;                          // NEWTRUE, NEWFALSE
                case 'P': Persistent(Line()); break;                            // PERSID: never written by torch.save
                case 'Q': Push(Persistent(Pop())); break;                       // BINPERSID
                case 'R': { var args = Pop(); Rebuilt(Called(Pop()), args); Push(Other); break; } // REDUCE
                case 'S' or 'V': Push(Line()); break;                           // STRING, UNICODE
                case 'T' or 'X': Push(Text(ReadLength(4))); break;              // BINSTRING, BINUNICODE
                case 'U' or 0x8c: Push(Text(ReadLength(1))); break;             // SHORT_BINSTRING, SHORT_BINUNICODE
                case 0x8d: Push(Text(ReadLength(8))); break;                    // BINUNICODE8
                case 'B': Skip(ReadLength(4)); Push(Other); break;              // BINBYTES
                case 'C': Skip(ReadLength(1)); Push(Other); break;              // SHORT_BINBYTES
                case 0x8e or 0x96: Skip(ReadLength(8)); Push(Other); break;     // BINBYTES8, BYTEARRAY8
                case 0x8a: Push(Long(Bytes((int)ReadLength(1)))); break;        // LONG1
                case 0x8b: Skip(ReadLength(4)); Push(Other); break;             // LONG4
                case 'a': Pop(); Pop(); Push(Other); break;                     // APPEND
                case 'b': Pop(); Pop(); Push(Other); break;                     // BUILD
                case 's': Pop(); Key(Pop()); Pop(); Push(Other); break;         // SETITEM
                case 'u': Keys(Pairs(PopMark())); Pop(); Push(Other); break;    // SETITEMS
                case 'e' or 0x90: PopMark(); Pop(); Push(Other); break;         // APPENDS, ADDITEMS
                case 'd': Keys(Pairs(PopMark())); Push(Other); break;           // DICT
                case 'l' or 0x91: PopMark(); Push(Other); break;                // LIST, FROZENSET
                case 't': Push(PopMark().ToArray()); break;                     // TUPLE
                case ')': Push(Array.Empty<object?>()); break;                  // EMPTY_TUPLE
                case 0x85: Push(new[] { Pop() }); break;                        // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; }                // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; } // TUPLE3
                case '}' or ']' or 0x8f: Push(Other); break;                    // EMPTY_DICT, EMPTY_LIST, EMPTY_SET
                case 'c': Push(Named(Line() + "." + Line())); break;            // GLOBAL
                case 0x93: { var name = Pop(); var module = Pop(); Push(Named(Stacked(module, name))); break; } // STACK_GLOBAL
                case 'i' or 'o':                                                // INST, OBJ: never written by torch.save
                    throw Refused("an old-style instance opcode (INST or OBJ), which torch.save never writes");
                case 0x81: Pop(); Called(Pop()); Push(Other); break;            // NEWOBJ
                case 0x92: Pop(); Pop(); Called(Pop()); Push(Other); break;     // NEWOBJ_EX
                case 0x82 or 0x83 or 0x84:                                      // EXT1, EXT2, EXT4
                    throw Refused("an extension-registry code (a global chosen by number)");
                case 'g': Push(Recalled(_memo.GetValueOrDefault(Index(Number(Line())), Missing))); break;   // GET
                case 'h': Push(Recalled(_memo.GetValueOrDefault(Bytes(1)[0], Missing))); break;             // BINGET
                case 'j': Push(Recalled(_memo.GetValueOrDefault(Index(BitConverter.ToUInt32(Bytes(4))), Missing))); break; // LONG_BINGET
                case 'p': _memo[Index(Number(Line()))] = Peek(); break;         // PUT
                case 'q': _memo[Bytes(1)[0]] = Peek(); break;                   // BINPUT
                case 'r': _memo[Index(BitConverter.ToUInt32(Bytes(4)))] = Peek(); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(); break;                  // MEMOIZE
                case 0x80: Bytes(1); break;                                     // PROTO
                case 0x95: Bytes(8); break;                                     // FRAME
                case 0x97: Push(Other); break;                                  // NEXT_BUFFER
                case 0x98: break;                                               // READONLY_BUFFER
                default: throw Corrupt($"byte 0x{op:x2} at offset {_stream.Position - 1} is not a pickle opcode");
            }
        }
    }

    private static readonly object Missing = new();

    private object? Recalled(object? value) => ReferenceEquals(value, Missing) ? throw Corrupt("it recalls a value it never stored") : value;

    /// <summary>A global that passed the allow-list; anything else is refused here, before it can be used.</summary>
    private Global Named(string name) =>
        AllowedGlobals.Contains(name) ? new Global(name) : throw Refused($"the global {name}");

    private string Stacked(object? module, object? name) =>
        module is string m && name is string n ? m + "." + n : throw Refused("a global whose name is computed, not written");

    /// <summary>REDUCE, NEWOBJ: what is called must be an allowed global.</summary>
    private Global Called(object? callable) =>
        callable as Global ?? throw Refused("a call of something other than an allowed global");

    /// <summary>A tensor rebuilt from a storage (<c>_rebuild_tensor(_v2)(storage, offset, size, stride, …)</c>) must
    /// fit in it: its shape decides what is allocated, so a small file cannot ask for a huge tensor.</summary>
    private void Rebuilt(Global callable, object? args)
    {
        if (!callable.Name.StartsWith("torch._utils._rebuild_tensor", StringComparison.Ordinal)) return;
        if (args is not object?[] { Length: >= 4 } a || a[0] is not Storage storage || a[1] is not long offset
            || a[2] is not object?[] size || size.Any(d => d is not long n || n < 0))
            throw Corrupt("a tensor is rebuilt from arguments torch.save does not write");
        long elements;
        try { elements = size.Cast<long>().Aggregate(1L, (product, d) => checked(product * d)); }
        catch (OverflowException) { elements = long.MaxValue; }
        if (offset < 0 || offset > storage.Count || elements > storage.Count - offset)
            throw Corrupt($"a tensor of {(elements == long.MaxValue ? "more" : elements.ToString())} elements is rebuilt from storage '{storage.Key}' of {storage.Count}");
    }

    private sealed record Storage(string Key, long Count);

    private Storage Persistent(object? id)
    {
        // torch.save: ('storage', torch.FloatStorage, key, location, count[, view metadata in legacy files]).
        if (id is not object?[] { Length: >= 5 } t || t[0] is not "storage" || t[1] is not Global g || t[2] is not string key
            || !g.Name.EndsWith("Storage", StringComparison.Ordinal) || t[4] is not long count || count < 0)
            throw Corrupt("a persistent id is not one of torch.save's storages");
        if (t.Length > 5 && !ReferenceEquals(t[5], None))
            throw new InvalidDataException($"Weights file '{_file}' shares storages between tensors (PyTorch before 0.4), which is not read: load it in PyTorch and save it again.");
        var type = g.Name["torch.".Length..];
        ElementSize(type, _file);
        Storages.Add((key, type, count));
        return new Storage(key, count);
    }

    /// <summary>Bytes per element of a torch.save storage type.</summary>
    internal static int ElementSize(string storageType, string path) => storageType switch
    {
        "DoubleStorage" or "LongStorage" => 8,
        "FloatStorage" or "IntStorage" => 4,
        "HalfStorage" or "BFloat16Storage" or "ShortStorage" => 2,
        "CharStorage" or "ByteStorage" or "BoolStorage" => 1,
        _ => throw new InvalidDataException($"Weights file '{path}' stores a {storageType}, which is not read."),
    };

    /// <summary>A memo index as the unpickler keeps it (a non-negative 32-bit integer); anything else is refused, so
    /// that the scan and the unpickler cannot disagree on what a slot holds.</summary>
    private int Index(long index) => index is >= 0 and <= int.MaxValue ? (int)index : throw Corrupt($"memo index {index} is out of range");

    /// <summary>SETITEMS and DICT take key-value pairs; an odd count is refused (Python refuses it; another unpickler
    /// might read past the mark).</summary>
    private List<object?> Pairs(List<object?> items) => items.Count % 2 == 0 ? items : throw Corrupt("a dictionary has a key without a value");

    private void Push(object? value) => _stack.Add(value);

    private void Key(object? key)
    {
        if (key is string text) DictionaryKeys.Add(text);
    }

    private void Keys(List<object?> items)
    {
        for (int i = 0; i < items.Count; i += 2) Key(items[i]);
    }

    private object? Pop()
    {
        if (_stack.Count == 0 || ReferenceEquals(_stack[^1], Mark)) throw Corrupt("an opcode takes more values than the stack holds");
        var top = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return top;
    }

    private object? Peek() =>
        _stack.Count == 0 || ReferenceEquals(_stack[^1], Mark) ? throw Corrupt("an opcode reads an empty stack") : _stack[^1];

    private List<object?> PopMark()
    {
        int mark = _stack.FindLastIndex(v => ReferenceEquals(v, Mark));
        if (mark < 0) throw Corrupt("an opcode needs a mark that is not there");
        var items = _stack.GetRange(mark + 1, _stack.Count - mark - 1);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private long ReadLength(int size)
    {
        var b = Bytes(size);
        long length = size switch { 1 => b[0], 4 => BitConverter.ToUInt32(b), _ => BitConverter.ToInt64(b) };
        if (length < 0 || length > _stream.Length - _stream.Position) throw Corrupt("a length runs past its end");
        return length;
    }

    private string Text(long length) =>
        length > MaxText ? throw Corrupt("a text value is longer than any key") : Encoding.UTF8.GetString(Bytes((int)length));

    private long Number(string text) =>
        long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : throw Corrupt($"'{text}' is not a memo index");

    /// <summary>LONG1's little-endian two's-complement integer; Other when it does not fit a long.</summary>
    private static object Long(byte[] bytes)
    {
        if (bytes.Length is 0 or > 8) return bytes.Length == 0 ? 0L : Other;
        long value = (sbyte)bytes[^1];
        for (int i = bytes.Length - 2; i >= 0; i--) value = (value << 8) | bytes[i];
        return value;
    }

    private void Skip(long length) => _stream.Seek(length, SeekOrigin.Current);

    private byte[] Bytes(int count)
    {
        var buffer = new byte[count];
        try { _stream.ReadExactly(buffer); }
        catch (EndOfStreamException) { throw Corrupt("it ends inside a pickle"); }
        return buffer;
    }

    private string Line()
    {
        var line = new List<byte>();
        for (int b = _stream.ReadByte(); b != '\n'; b = _stream.ReadByte())
        {
            if (b < 0 || line.Count > MaxLine) throw Corrupt("a text opcode has no end of line");
            line.Add((byte)b);
        }
        return Encoding.UTF8.GetString([.. line]);
    }

    private InvalidDataException Refused(string what) => new(
        $"Weights file '{_file}' is a pickle that names {what}. Only tensors and plain containers are read from a " +
        "PyTorch file, so that no file can run code; save the state dict alone (torch.save(model.state_dict(), path)) " +
        "or as safetensors.");

    private InvalidDataException Corrupt(string why) => new($"Weights file '{_file}' is corrupt: {why}.");
}
