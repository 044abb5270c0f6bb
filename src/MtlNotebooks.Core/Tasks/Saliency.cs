using MtlNotebooks.Tasks.Losses;
using MtlNotebooks.Tasks.Metrics;
using static TorchSharp.torch;

namespace MtlNotebooks.Tasks;

/// <summary>Saliency: 1 logit per pixel; labels [B, 1, H, W] in {0, 1} (255 = ignore). Loss: BCE, by default balanced
/// by the label's own positive fraction as in the references (<paramref name="Balanced"/> false gives plain BCE).
/// Metrics: mIoU (primary — "Sal. (IoU)" in survey Table V(b), MTI-Net §3) and maxF, both at the best of the references'
/// 15 thresholds. The prediction is σ(x).</summary>
public sealed record Saliency(bool Balanced = true, string Name = "sal") : IDenseTask
{
    public TaskLabelShape Label => TaskLabelShape.Dense(1);

    public int OutputChannels => 1;
    public ITaskLoss Loss => new BinaryCrossEntropyLoss(Balanced ? BinaryWeighting.Balanced : BinaryWeighting.None);
    public IReadOnlyList<ITaskMetric> Metrics => [new SaliencyScore(SaliencyStatistic.MaxMeanIoU), new SaliencyScore(SaliencyStatistic.MaxF)];
    public Tensor Activate(Tensor output) => output.sigmoid();
}
