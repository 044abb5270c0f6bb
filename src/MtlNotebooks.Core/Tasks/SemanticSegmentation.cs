using MtlNotebooks.Tasks.Losses;
using MtlNotebooks.Tasks.Metrics;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MtlNotebooks.Tasks;

/// <summary>Semantic segmentation: <paramref name="Classes"/> logits per pixel; labels are class indices
/// [B, H, W] (int64) with <paramref name="IgnoreIndex"/> for unlabelled pixels. Loss: cross-entropy; metrics:
/// mIoU (primary), pixel accuracy.</summary>
public sealed record SemanticSegmentation(int Classes, int IgnoreIndex = 255, string Name = "semseg") : IDenseTask
{
    public TaskLabelShape Label => TaskLabelShape.Classes;

    public int OutputChannels => Classes;
    public ITaskLoss Loss => new CrossEntropyLoss(IgnoreIndex);
    public IReadOnlyList<ITaskMetric> Metrics => [new MeanIoU(Classes, IgnoreIndex), new PixelAccuracy(Classes, IgnoreIndex)];
    public Tensor Activate(Tensor output) => output.argmax(1);

    public IEnumerable<string> Validate()
    {
        if (Classes < 2) yield return $"task '{Name}': a segmentation needs at least 2 classes, got {Classes}.";
        if (IgnoreIndex >= 0 && IgnoreIndex < Classes) yield return $"task '{Name}': IgnoreIndex {IgnoreIndex} is a valid class index (0..{Classes - 1}); use 255.";
    }
}
