using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>A task metric; evaluation accumulates it over a whole split (as the references do, e.g. one confusion
/// matrix for mIoU over all images) and computes it once.</summary>
public interface ITaskMetric
{
    string Name { get; }
    MetricDirection Direction { get; }
    IMetricAccumulator CreateAccumulator();
}
