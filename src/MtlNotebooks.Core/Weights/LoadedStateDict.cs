using static TorchSharp.torch;

namespace MtlNotebooks.Weights;

/// <summary>The tensors read from a weights file, by name, and how they were found: the file's format, the checkpoint
/// entry that held them (<c>state_dict</c>, <c>model</c>, … or null for a bare state dict) and whether DataParallel's
/// <c>module.</c> prefix was removed. Owns the tensors.</summary>
public sealed class LoadedStateDict(string path, WeightFormat format, Dictionary<string, Tensor> tensors, string? entry, bool removedPrefix)
    : IDisposable
{
    public string Path { get; } = path;
    public WeightFormat Format { get; } = format;
    public IReadOnlyDictionary<string, Tensor> Tensors => tensors;
    public string? Entry { get; } = entry;
    public bool RemovedPrefix { get; } = removedPrefix;

    /// <summary>One line on where the tensors came from, e.g. "torch.save (zip), checkpoint entry 'model', DataParallel's
    /// 'module.' prefix removed, 122 tensors".</summary>
    public string Describe() => string.Join(", ", new[]
    {
        Format switch
        {
            WeightFormat.TorchSave => "torch.save (zip)", WeightFormat.TorchSaveLegacy => "torch.save (legacy, before PyTorch 1.6)",
            WeightFormat.Safetensors => "safetensors", WeightFormat.RunCheckpoint => "training checkpoint", _ => "TorchSharp state dict",
        },
        Entry is null || Format == WeightFormat.RunCheckpoint ? null : $"checkpoint entry '{Entry}'",
        RemovedPrefix ? "DataParallel's 'module.' prefix removed" : null,
        $"{tensors.Count} tensors",
    }.OfType<string>());

    /// <summary>Puts <paramref name="tensor"/> in place of the tensor named <paramref name="name"/> (disposing it): a file's
    /// tensor adapted before loading, e.g. a position embedding resized to the model's grid.</summary>
    public void Replace(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!tensors.TryGetValue(name, out var old)) throw new KeyNotFoundException($"Weights file '{Path}' holds no tensor '{name}'.");
        tensors[name] = tensor;
        if (!ReferenceEquals(old, tensor)) old.Dispose();
    }

    public void Dispose()
    {
        foreach (var tensor in tensors.Values) tensor.Dispose();
        tensors.Clear();
    }
}
