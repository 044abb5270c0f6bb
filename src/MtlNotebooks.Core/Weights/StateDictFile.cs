using MtlNotebooks.Runtime;
using System.Collections;
using System.Text;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MtlNotebooks.Weights;

/// <summary>The one way weights enter and leave: PyTorch's files (<c>torch.save</c>, zip and legacy; training
/// checkpoints with the state dict under one of <see cref="CheckpointEntries"/>; DataParallel's <c>module.</c> prefix),
/// <c>.safetensors</c>, TorchSharp's own format and a training run's <c>.ckpt</c>, told apart by content, never by name.</summary>
public static class StateDictFile
{
    /// <summary>Where training checkpoints keep the model's state dict, in the order looked for (the survey code and
    /// torchvision's references save <c>model</c>, the ASTMT code's ImageNet files <c>model_state</c>, many others
    /// <c>state_dict</c>).</summary>
    public static readonly IReadOnlyList<string> CheckpointEntries = ["state_dict", "model", "model_state", "model_state_dict", "net", "network"];

    /// <summary>The file's format, from its first bytes; throws naming the file when it is none of them.</summary>
    public static WeightFormat Detect(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Weights file '{path}' does not exist.", path);
        using var file = File.OpenRead(path);
        var head = new byte[16];
        int read = file.Read(head);
        if (read >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return WeightFormat.TorchSave;
        if (read >= TorchSaveFile.LegacyMagic.Length && head.AsSpan(0, TorchSaveFile.LegacyMagic.Length).SequenceEqual(TorchSaveFile.LegacyMagic))
            return WeightFormat.TorchSaveLegacy;
        if (read >= 9 && head[8] == '{' && BitConverter.ToInt64(head) < file.Length) return WeightFormat.Safetensors;
        if (read >= 8 && head.AsSpan(0, 8).SequenceEqual(CheckpointFile.Magic)) return WeightFormat.RunCheckpoint;
        file.Close();
        try
        {
            PretrainedWeights.ReadIndex(path);
            return WeightFormat.TorchSharp;
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Weights file '{path}' is not a state dict: not torch.save's (zip or legacy), not safetensors, " +
                                           $"and as TorchSharp's format: {e.Message}", e);
        }
    }

    /// <summary>Names, element types and shapes in the file, in its order.</summary>
    public static IReadOnlyList<StoredTensor> Index(string path)
    {
        switch (Detect(path))
        {
            case WeightFormat.TorchSharp: return PretrainedWeights.ReadIndex(path);
            case WeightFormat.Safetensors: return SafetensorsHeader.Read(path);
            default:
                using (var loaded = Read(path))
                    return [.. loaded.Tensors.Select(t => new StoredTensor(t.Key, t.Value.dtype, t.Value.shape))];
        }
    }

    /// <summary>Reads every tensor of the file. A checkpoint's state dict is taken from the first of
    /// <see cref="CheckpointEntries"/> that holds one; a <c>module.</c> prefix on every key is removed.</summary>
    public static LoadedStateDict Read(string path)
    {
        var format = Detect(path);
        switch (format)
        {
            case WeightFormat.TorchSharp:
                return new LoadedStateDict(path, format, ReadTorchSharp(path), null, false);
            case WeightFormat.RunCheckpoint:
                return new LoadedStateDict(path, format,
                    CheckpointFile.ReadNetwork(path, reason => new InvalidDataException($"Checkpoint '{path}' {reason}")), "network", false);
            case WeightFormat.Safetensors:
                using (var file = File.OpenRead(path))
                {
                    var header = SafetensorsHeader.Read(file, path);
                    file.Position = 0;
                    return WithoutPrefix(path, format, InOrder(Safetensors.LoadStateDict(file, leaveOpen: true), [.. header.Select(t => t.Name)]), null);
                }
            default:
                var (root, order) = TorchSaveFile.Read(path, format == WeightFormat.TorchSaveLegacy);
                var (tensors, entry) = Unwrap(root, path);
                return WithoutPrefix(path, format, InOrder(tensors, order), entry);
        }
    }

    /// <summary>Writes <paramref name="tensors"/> atomically in the format the extension names: <c>.safetensors</c>;
    /// <c>.pth</c>, <c>.pt</c>, <c>.tar</c> (torch.save's zip format, what <c>torch.load</c> reads); <c>.dat</c>
    /// (TorchSharp's). A run's <c>.ckpt</c> is the library's own checkpoint, read here but written only by training.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors)
    {
        var format = FormatFor(path);
        var dense = new Dictionary<string, Tensor>(tensors.Count);
        try
        {
            foreach (var (name, tensor) in tensors) dense[name] = tensor.detach().cpu().contiguous();
            AtomicFile.Write(path, stream =>
            {
                switch (format)
                {
                    case WeightFormat.Safetensors: Safetensors.SaveStateDict(stream, dense, leaveOpen: true); break;
                    case WeightFormat.TorchSave: WriteTorchSave(stream, dense); break;
                    default: WriteTorchSharp(stream, dense); break;
                }
            });
        }
        finally
        {
            foreach (var tensor in dense.Values) tensor.Dispose();
        }
    }

    /// <summary>Writes <paramref name="module"/>'s state dict; with <paramref name="referenceNames"/>, a module that
    /// reproduces the authors' code (<see cref="IReferenceKeys"/>) writes its keys under their names, for their code's
    /// <c>load_state_dict(strict=True)</c>.</summary>
    public static void Write(string path, nn.Module module, bool referenceNames = false)
    {
        var state = module.state_dict();
        if (referenceNames && module is IReferenceKeys { ReferenceKeys: var map })
            state = state.Select(t => (Key: map.ToReference(t.Key), t.Value))
                .SelectMany(t => map.AliasesOf(t.Key).Prepend(t.Key).Select(k => KeyValuePair.Create(k, t.Value)))
                .ToDictionary();
        Write(path, state);
    }

    /// <summary>The format a file name asks for; throws naming the extension when none does.</summary>
    public static WeightFormat FormatFor(string path)
    {
        var name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".safetensors")) return WeightFormat.Safetensors;
        if (name.EndsWith(".pth") || name.EndsWith(".pt") || name.EndsWith(".tar")) return WeightFormat.TorchSave;
        if (name.EndsWith(".dat")) return WeightFormat.TorchSharp;
        throw new ArgumentException($"Weights file '{path}': the extension names no format to write; use .safetensors, .pth (.pt, .pth.tar) or .dat (TorchSharp's).");
    }

    private static (Dictionary<string, Tensor>, string?) Unwrap(object root, string path)
    {
        if (root is not IDictionary dictionary)
            throw new InvalidDataException($"Weights file '{path}' holds a {root.GetType().Name}, not a dictionary of tensors.");
        if (TensorsOf(dictionary) is { } direct) return (direct, null);
        foreach (var entry in CheckpointEntries)
            if (dictionary[entry] is IDictionary inner && TensorsOf(inner) is { Count: > 0 } found)
            {
                dictionary.Remove(entry);
                DisposeTensors(dictionary);
                return (found, entry);
            }

        var kinds = dictionary.Keys.Cast<object>().Select(k => $"{k} ({Kind(dictionary[k])})");
        DisposeTensors(dictionary);
        throw new InvalidDataException($"Weights file '{path}' is a checkpoint without a state dict under {string.Join(", ", CheckpointEntries)}; " +
                                       $"it holds: {string.Join(", ", kinds)}.");
    }

    /// <summary>The tensors in the order the file set them (PyTorch's state-dict order).</summary>
    private static Dictionary<string, Tensor> InOrder(Dictionary<string, Tensor> tensors, IReadOnlyList<string> order)
    {
        var position = new Dictionary<string, int>();
        for (int i = 0; i < order.Count; i++) position.TryAdd(order[i], i);
        return tensors.OrderBy(t => position.GetValueOrDefault(t.Key, int.MaxValue)).ToDictionary(t => t.Key, t => t.Value);
    }

    private static Dictionary<string, Tensor>? TensorsOf(IDictionary dictionary)
    {
        var tensors = new Dictionary<string, Tensor>(dictionary.Count);
        foreach (DictionaryEntry entry in dictionary)
        {
            if (entry.Key is not string key || entry.Value is not Tensor tensor) return null;
            tensors[key] = tensor;
        }
        return tensors;
    }

    private static string Kind(object? value) => value switch
    {
        Tensor t => $"tensor [{string.Join(", ", t.shape)}]",
        IDictionary d => $"dictionary of {d.Count}",
        IList l => $"list of {l.Count}",
        null => "None",
        _ => value.GetType().Name.ToLowerInvariant(),
    };

    private static void DisposeTensors(object? value)
    {
        switch (value)
        {
            case Tensor t: t.Dispose(); break;
            case IDictionary d: foreach (var v in d.Values) DisposeTensors(v); break;
            case IList l: foreach (var v in l) DisposeTensors(v); break;
        }
    }

    private static LoadedStateDict WithoutPrefix(string path, WeightFormat format, Dictionary<string, Tensor> tensors, string? entry)
    {
        const string prefix = "module.";
        if (tensors.Count == 0 || !tensors.Keys.All(k => k.StartsWith(prefix, StringComparison.Ordinal)))
            return new LoadedStateDict(path, format, tensors, entry, false);
        return new LoadedStateDict(path, format, tensors.ToDictionary(t => t.Key[prefix.Length..], t => t.Value), entry, true);
    }

    private static Dictionary<string, Tensor> ReadTorchSharp(string path)
    {
        PretrainedWeights.ReadIndex(path);   // the whole file checked before any tensor is made
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        return ReadTorchSharp(reader, path);
    }

    /// <summary>A state dict in TorchSharp's format (<c>module.save</c>) from the reader's position: count, then name and
    /// tensor (type, rank, shape, data) each. Every header is checked against the bytes left before a tensor is made.</summary>
    internal static Dictionary<string, Tensor> ReadTorchSharp(BinaryReader reader, string path)
    {
        var stream = reader.BaseStream;
        long count = PretrainedWeights.ReadLeb128(reader);
        if (count < 0 || count > stream.Length - stream.Position) throw new InvalidDataException($"Weights file '{path}' is corrupt: it claims {count} tensors.");
        var tensors = new Dictionary<string, Tensor>((int)Math.Min(count, 100_000));
        try
        {
            for (long i = 0; i < count; i++)
            {
                var (entry, start, _) = PretrainedWeights.ReadEntryHeader(reader, path);
                stream.Position = start;
                var tensor = empty(entry.Shape, entry.Type);
                tensors[entry.Name] = tensor;
                tensor.Load(reader);
            }
            return tensors;
        }
        catch
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
            throw;
        }
    }

    /// <summary>torch.save's layout: TorchSharp.PyBridge writes the pickle and the storages; its entries are deflated,
    /// so they are stored again uncompressed, as torch.save stores them (and as torch.load(mmap=True) needs).</summary>
    private static void WriteTorchSave(Stream stream, Dictionary<string, Tensor> tensors)
    {
        using var deflated = new MemoryStream();
        PyTorchPickler.PickleStateDict(deflated, tensors, leaveOpen: true);
        deflated.Position = 0;
        using var source = new System.IO.Compression.ZipArchive(deflated, System.IO.Compression.ZipArchiveMode.Read);
        using var target = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true);
        foreach (var entry in source.Entries)
        {
            using var from = entry.Open();
            using var to = target.CreateEntry(entry.FullName, System.IO.Compression.CompressionLevel.NoCompression).Open();
            from.CopyTo(to);
        }
    }

    private static void WriteTorchSharp(Stream stream, Dictionary<string, Tensor> tensors)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        PretrainedWeights.WriteLeb128(writer, tensors.Count);
        foreach (var (name, tensor) in tensors)
        {
            writer.Write(name);
            tensor.Save(writer);
        }
    }
}
