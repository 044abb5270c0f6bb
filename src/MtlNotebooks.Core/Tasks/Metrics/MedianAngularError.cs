using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MtlNotebooks.Tasks.Metrics;

/// <summary>Median angle in degrees between predicted (normalised) and label normals over the valid pixels of a split,
/// as the references' eval_normals. The median comes from a histogram of 0.001° bins, so it is exact to 0.001°
/// without keeping every pixel's angle (NYUD's test split has 2·10⁸ pixels).</summary>
public sealed record MedianAngularError : ITaskMetric
{
    public string Name => "median angle (deg)";
    public MetricDirection Direction => MetricDirection.LowerIsBetter;
    public IMetricAccumulator CreateAccumulator() => new AngleAccumulator(null);
}
