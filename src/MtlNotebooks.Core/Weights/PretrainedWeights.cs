using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Weights;

/// <summary>Weights exported from PyTorch in TorchSharp's state-dict format (tools/export_state_dict.py, the format of
/// TorchSharp's exportsd.py): loaded by name, after a check that lists every missing, unexpected and wrong-shape key
/// instead of failing on the first one inside libtorch.</summary>
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
            var entries = new List<StoredTensor>((int)Math.Min(count, 100_000));
            for (long i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                var type = (ScalarType)ReadLeb128(reader);
                long rank = ReadLeb128(reader);
                var shape = new long[rank];
                for (int d = 0; d < rank; d++) shape[d] = ReadLeb128(reader);
                long bytes = shape.Aggregate(1L, (a, b) => a * b) * ElementSize(type, path, name);
                stream.Seek(bytes, SeekOrigin.Current);
                if (stream.Position > stream.Length)
                    throw new InvalidDataException($"Weights file '{path}' ends inside tensor '{name}': truncated or not a TorchSharp state dict.");
                entries.Add(new StoredTensor(name, type, shape));
            }
            return entries;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"Weights file '{path}' ends early: truncated or not a TorchSharp state dict " +
                                           "(export with tools/export_state_dict.py).", e);
        }
    }

    /// <summary>The differences between <paramref name="module"/>'s state dict and the file's, one line each; empty when they match.</summary>
    public static IReadOnlyList<string> Compare(nn.Module module, string path)
    {
        var stored = ReadIndex(path).ToDictionary(e => e.Name);
        var ours = module.state_dict();
        var problems = new List<string>();
        var missing = ours.Keys.Where(k => !stored.ContainsKey(k)).ToArray();
        var unexpected = stored.Keys.Where(k => !ours.ContainsKey(k)).ToArray();
        if (missing.Length > 0) problems.Add($"missing keys ({missing.Length}): {string.Join(", ", missing)}");
        if (unexpected.Length > 0) problems.Add($"unexpected keys ({unexpected.Length}): {string.Join(", ", unexpected)}");
        foreach (var (name, tensor) in ours)
            if (stored.TryGetValue(name, out var entry) && !entry.Shape.SequenceEqual(tensor.shape))
                problems.Add($"wrong shape: {name} is [{string.Join(", ", entry.Shape)}] in the file, [{string.Join(", ", tensor.shape)}] in the module");
        return problems;
    }

    /// <summary>The problem with an optional weights file, for a spec's Validate(): it must exist when given.</summary>
    public static IEnumerable<string> Validate(string? path, string caller) =>
        path is not null && !File.Exists(path) ? [$"{caller}: weights file '{path}' does not exist."] : [];

    /// <summary>Returns <paramref name="module"/> with <paramref name="path"/> loaded into it when a path is given;
    /// disposes the module if loading fails.</summary>
    public static T LoadInto<T>(T module, string? path, string owner) where T : nn.Module
    {
        if (path is null) return module;
        try
        {
            Load(module, path, owner);
            return module;
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>Loads <paramref name="path"/> into <paramref name="module"/> by name (strict), or throws listing every difference.</summary>
    public static void Load(nn.Module module, string path, string owner)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{owner}: weights file '{path}' does not exist.", path);
        var problems = Compare(module, path);
        if (problems.Count > 0)
            throw new InvalidDataException($"{owner}: weights file '{path}' does not fit the module:{Environment.NewLine}  " +
                                           string.Join(Environment.NewLine + "  ", problems));
        module.load(path, strict: true);
    }

    private static long ReadLeb128(BinaryReader reader)
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
