using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>Whether a larger or a smaller value of a metric is better: the (−1)^l_i of Δm (ASTMT eq. 4, survey eq. 10).</summary>
public enum MetricDirection
{
    HigherIsBetter,
    LowerIsBetter,
}

/// <summary>A task metric; evaluation accumulates it over a whole split (as the references do, e.g. one confusion
/// matrix for mIoU over all images) and computes it once.</summary>
public interface ITaskMetric
{
    string Name { get; }
    MetricDirection Direction { get; }
    IMetricAccumulator CreateAccumulator();
}
