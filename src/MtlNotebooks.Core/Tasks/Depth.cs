using F = TorchSharp.torch.nn.functional;
using MtlNotebooks.Tasks.Losses;
using MtlNotebooks.Tasks.Metrics;
using static TorchSharp.torch;

namespace MtlNotebooks.Tasks;

/// <summary>Monocular depth: 1 channel; labels [B, 1, H, W] in metres (or scene units), 0 where invalid.
/// Loss: L1 on valid pixels; metrics: RMSE (primary, survey Table V(a)), log RMSE, abs rel, δ&lt;1.25, δ&lt;1.25², δ&lt;1.25³,
/// all pooled over the valid pixels of the split.</summary>
public sealed record Depth(string Name = "depth") : IDenseTask
{
    public TaskLabelShape Label => TaskLabelShape.Dense(1);

    public int OutputChannels => 1;
    public ITaskLoss Loss => new MaskedL1Loss();
    public IReadOnlyList<ITaskMetric> Metrics =>
    [
        new Rmse(), new DepthError(DepthStatistic.LogRmse), new DepthError(DepthStatistic.AbsRel),
        new DepthError(DepthStatistic.Delta1), new DepthError(DepthStatistic.Delta2), new DepthError(DepthStatistic.Delta3),
    ];
    public Tensor Activate(Tensor output) => output;
}
