using F = TorchSharp.torch.nn.functional;
using static TorchSharp.torch;

namespace MtlNotebooks.Tasks.Metrics;

/// <summary>Percentage of valid pixels whose angular error is below <paramref name="Degrees"/> (11.25°, 22.5°, 30° in the
/// references and the papers' tables).</summary>
public sealed record AngleWithin(double Degrees) : ITaskMetric
{
    public string Name => $"< {Degrees:0.##}°";
    public MetricDirection Direction => MetricDirection.HigherIsBetter;
    public IMetricAccumulator CreateAccumulator() => new AngleAccumulator(Degrees);
}
