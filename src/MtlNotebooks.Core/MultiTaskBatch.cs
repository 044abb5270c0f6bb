using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>A batch: images [B, 3, H, W] (float32, normalised) and the labels of every task the data set provides.
/// Disposing it frees the tensors.</summary>
public sealed class MultiTaskBatch(Tensor images, TaskLabels labels) : IDisposable
{
    public Tensor Images { get; } = images;
    public TaskLabels Labels { get; } = labels;
    public long Size => Images.shape[0];

    public void Dispose()
    {
        Images.Dispose();
        foreach (var label in Labels.Values) label.Dispose();
    }
}
