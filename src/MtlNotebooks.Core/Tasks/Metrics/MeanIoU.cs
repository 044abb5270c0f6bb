using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MtlNotebooks.Tasks.Metrics;

/// <summary>Mean intersection-over-union in percent, from one confusion matrix over the whole split; classes that
/// appear neither in labels nor predictions are left out of the mean (the references' convention).</summary>
public sealed record MeanIoU(int Classes, int IgnoreIndex = 255) : ITaskMetric
{
    public string Name => "mIoU";
    public MetricDirection Direction => MetricDirection.HigherIsBetter;
    public IMetricAccumulator CreateAccumulator() => new ConfusionMatrix(Classes, IgnoreIndex, pixelAccuracy: false);
}
