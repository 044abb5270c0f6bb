using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Weights;

/// <summary>Weights loaded into a module by name from any <see cref="WeightFormat"/> (PyTorch's files, safetensors,
/// TorchSharp's), after a check that lists every missing, unexpected and wrong-shape key instead of failing on the
/// first one inside libtorch.</summary>
public static class PretrainedWeights
{
    /// <summary>Names, types and shapes stored in <paramref name="path"/>, without reading the data.</summary>
    public static IReadOnlyList<StoredTensor> ReadIndex(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            long count = ReadLeb128(reader);
            if (count < 0 || count > stream.Length) throw new InvalidDataException($"Weights file '{path}' is corrupt or not a TorchSharp state dict: it claims {count} tensors.");
            var entries = new List<StoredTensor>((int)Math.Min(count, 100_000));
            for (long i = 0; i < count; i++)
            {
                var (entry, _, bytes) = ReadEntryHeader(reader, path);
                stream.Seek(bytes, SeekOrigin.Current);
                entries.Add(entry);
            }
            if (stream.Position != stream.Length)
                throw new InvalidDataException($"Weights file '{path}' has {stream.Length - stream.Position} bytes after its last tensor: not a TorchSharp state dict.");
            return entries;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"Weights file '{path}' ends early: truncated or not a TorchSharp state dict " +
                                           "(or one of PyTorch's formats, which StateDictFile.Read tells apart).", e);
        }
    }

    /// <summary>The differences between <paramref name="module"/>'s state dict and the file's, one line each; empty when they match.</summary>
    public static IReadOnlyList<string> Compare(nn.Module module, string path, Func<string, bool>? skippable = null)
    {
        var stored = StateDictFile.Index(path).ToDictionary(e => e.Name, e => e.Shape);
        return Compare(module, stored, skippable);
    }

    /// <summary>Missing, unexpected and wrong-shape keys of <paramref name="stored"/> against <paramref name="module"/>.
    /// A file may lack BatchNorm's <c>num_batches_tracked</c> (PyTorch before 0.4.1 did not save it), and keys
    /// <paramref name="skippable"/> accepts (an ImageNet classifier the module does not have) are not unexpected; module keys
    /// <paramref name="notInFile"/> accepts (parts an ImageNet file cannot hold, such as TaskPrompter's prompts) are not missing.</summary>
    public static IReadOnlyList<string> Compare(nn.Module module, IReadOnlyDictionary<string, long[]> stored, Func<string, bool>? skippable = null,
        Func<string, bool>? notInFile = null)
    {
        var ours = module.state_dict();
        var problems = new List<string>();
        var missing = ours.Keys.Where(k => !stored.ContainsKey(k) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal) && notInFile?.Invoke(k) != true).ToArray();
        var unexpected = stored.Keys.Where(k => !ours.ContainsKey(k) && skippable?.Invoke(k) != true).ToArray();
        if (missing.Length > 0) problems.Add($"missing keys ({missing.Length}): {Listed(missing)}");
        if (unexpected.Length > 0) problems.Add($"unexpected keys ({unexpected.Length}): {Listed(unexpected)}");
        var wrong = ours.Where(t => stored.TryGetValue(t.Key, out var shape) && !shape.SequenceEqual(t.Value.shape))
            .Select(t => $"wrong shape: {t.Key} is [{string.Join(", ", stored[t.Key])}] in the file, [{string.Join(", ", t.Value.shape)}] in the module").ToArray();
        problems.AddRange(wrong.Take(12));
        if (wrong.Length > 12) problems.Add($"… and {wrong.Length - 12} more wrong shapes");
        return problems;
    }

    /// <summary>The first keys of a long list, then how many more: a wrong file names hundreds.</summary>
    private static string Listed(IReadOnlyList<string> keys) =>
        keys.Count <= 12 ? string.Join(", ", keys) : $"{string.Join(", ", keys.Take(12))}, … and {keys.Count - 12} more";

    /// <summary>The problem with an optional weights file, for a spec's Validate(): it must exist when given.</summary>
    public static IEnumerable<string> Validate(string? path, string caller) =>
        path is not null && !File.Exists(path) ? [$"{caller}: weights file '{path}' does not exist."] : [];

    /// <summary>Returns <paramref name="module"/> with <paramref name="path"/> loaded into it when a path is given;
    /// disposes the module if loading fails.</summary>
    public static T LoadInto<T>(T module, string? path, string owner, Func<string, bool>? skippable = null) where T : nn.Module
    {
        if (path is null) return module;
        try
        {
            Load(module, path, owner, skippable);
            return module;
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>Loads <paramref name="path"/> (any <see cref="WeightFormat"/>) into <paramref name="module"/> by name,
    /// strictly, or throws listing every difference at once.</summary>
    public static void Load(nn.Module module, string path, string owner, Func<string, bool>? skippable = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{owner}: weights file '{path}' does not exist.", path);
        using var loaded = StateDictFile.Read(path);
        Load(module, loaded, owner, skippable);
    }

    /// <summary>Copies <paramref name="loaded"/> into <paramref name="module"/> by name, strictly, or throws listing every
    /// difference at once (the module is left untouched then). Keys <paramref name="notInFile"/> accepts keep their values.</summary>
    public static void Load(nn.Module module, LoadedStateDict loaded, string owner, Func<string, bool>? skippable = null,
        Func<string, bool>? notInFile = null)
    {
        var stored = loaded.Tensors.ToDictionary(t => t.Key, t => t.Value.shape);
        var problems = Compare(module, stored, skippable, notInFile);
        var names = module.state_dict().Keys.ToDictionary(k => k, k => k);
        if (problems.Count > 0 && module is IReferenceKeys { ReferenceKeys: var map })
        {
            // The authors' names: a file their code wrote.
            var (theirs, combined, clashes, renamed) = UnderOurNames(names.Keys, map, stored);
            var mapped = Compare(module, combined, skippable, notInFile);
            if (clashes.Count > 0) mapped = [.. mapped, $"keys under both namings: {Listed(clashes)}"];
            if (mapped.Count == 0) (problems, names) = (mapped, theirs);
            else if (renamed > stored.Count / 2)
                problems = [$"under {map.Reference}'s names (Weights/KeyMaps/{map.Name}.tsv):", .. mapped];
        }

        if (problems.Count > 0)
            throw new InvalidDataException($"{owner}: weights file '{loaded.Path}' ({loaded.Describe()}) does not fit the module:{Environment.NewLine}  " +
                                           string.Join(Environment.NewLine + "  ", problems));
        using (torch.no_grad())
            foreach (var (name, target) in module.state_dict())
                if (loaded.Tensors.TryGetValue(names[name], out var source))
                    target.copy_(source);
    }

    /// <summary>A file's keys read under the authors' names (<paramref name="map"/>) as ours: each of our keys takes the
    /// entry of its reference name; the file's other keys stay as they are, but for second names of tensors already
    /// taken (<see cref="KeyMap.AliasesOf"/>). Also returns our key → reference name, keys found under both namings,
    /// and how many of ours were found under the reference names.</summary>
    public static (Dictionary<string, string> Theirs, Dictionary<string, long[]> Stored, IReadOnlyList<string> Clashes, int Renamed) UnderOurNames(
        IEnumerable<string> ourKeys, KeyMap map, IReadOnlyDictionary<string, long[]> stored)
    {
        var theirs = ourKeys.ToDictionary(k => k, map.ToReference);
        var combined = theirs.Where(t => stored.ContainsKey(t.Value)).ToDictionary(t => t.Key, t => stored[t.Value]);
        int renamed = combined.Count;
        var aliases = theirs.Values.SelectMany(map.AliasesOf).ToHashSet();   // the same tensors again, under a second name
        var clashes = stored.Keys.Except(theirs.Values).Where(k => !aliases.Contains(k)).Where(k => !combined.TryAdd(k, stored[k])).ToArray();
        return (theirs, combined, clashes, renamed);
    }

    internal static long ReadLeb128(BinaryReader reader)
    {
        long result = 0;
        int shift = 0;
        while (true)
        {
            byte b = reader.ReadByte();
            result |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
            shift += 7;
            if (shift > 63) throw new InvalidDataException("Malformed length in weights file.");
        }
    }

    /// <summary>One entry of TorchSharp's format up to its data: name, element type, rank, shape. Returns where the
    /// tensor's own header starts (what <c>Tensor.Load</c> reads) and its data's length, checked against the bytes left.</summary>
    internal static (StoredTensor Entry, long Start, long Bytes) ReadEntryHeader(BinaryReader reader, string path)
    {
        var stream = reader.BaseStream;
        string name = reader.ReadString();
        long start = stream.Position;
        var type = (ScalarType)ReadLeb128(reader);
        long rank = ReadLeb128(reader);
        if (rank > 16) throw new InvalidDataException($"Weights file '{path}': tensor '{name}' claims {rank} dimensions: corrupt or not a TorchSharp state dict.");
        var shape = new long[rank];
        for (int d = 0; d < rank; d++) shape[d] = ReadLeb128(reader);
        if (shape.Any(d => d < 0)) throw new InvalidDataException($"Weights file '{path}': tensor '{name}' has a negative size: corrupt or not a TorchSharp state dict.");
        long bytes;
        try { bytes = checked(shape.Aggregate(1L, (a, b) => checked(a * b)) * ElementSize(type, path, name)); }
        catch (OverflowException) { throw new InvalidDataException($"Weights file '{path}': tensor '{name}' [{string.Join(", ", shape)}] is larger than any file: corrupt or not a TorchSharp state dict."); }
        if (bytes > stream.Length - stream.Position)
            throw new InvalidDataException($"Weights file '{path}' ends inside tensor '{name}': truncated or not a TorchSharp state dict.");
        return (new StoredTensor(name, type, shape), start, bytes);
    }

    /// <summary>TorchSharp's length prefix: unsigned LEB128.</summary>
    internal static void WriteLeb128(BinaryWriter writer, long value)
    {
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            writer.Write(value != 0 ? (byte)(b | 0x80) : b);
        } while (value != 0);
    }

    private static int ElementSize(ScalarType type, string path, string name) => type switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.ComplexFloat64 => 16,
        _ => throw new InvalidDataException($"Weights file '{path}': tensor '{name}' has unknown element type code {(int)type}."),
    };
}
