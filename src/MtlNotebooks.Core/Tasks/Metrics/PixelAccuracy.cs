using F = TorchSharp.torch.nn.functional;
using static TorchSharp.torch;

namespace MtlNotebooks.Tasks.Metrics;

/// <summary>Pixel accuracy in percent over non-ignored pixels.</summary>
public sealed record PixelAccuracy(int Classes, int IgnoreIndex = 255) : ITaskMetric
{
    public string Name => "pixel acc";
    public MetricDirection Direction => MetricDirection.HigherIsBetter;
    public IMetricAccumulator CreateAccumulator() => new ConfusionMatrix(Classes, IgnoreIndex, pixelAccuracy: true);
}
