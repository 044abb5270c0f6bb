using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>Whether a larger or a smaller value of a metric is better: the (−1)^l_i of Δm (ASTMT eq. 4, survey eq. 10).</summary>
public enum MetricDirection
{
    HigherIsBetter,
    LowerIsBetter,
}

/// <summary>A dense prediction task: its name (the key of its outputs, labels and losses), how many channels the
/// network predicts for it, its loss and its metrics. The first metric is the task's primary metric: the one Δm uses.</summary>
public interface IDenseTask
{
    string Name { get; }
    int OutputChannels { get; }
    ITaskLoss Loss { get; }
    IReadOnlyList<ITaskMetric> Metrics { get; }

    /// <summary>The primary metric (Δm is computed over each task's primary metric, as in survey Table V).</summary>
    ITaskMetric PrimaryMetric => Metrics[0];

    /// <summary>Problems with the task's own settings (empty when valid).</summary>
    IEnumerable<string> Validate() => [];

    /// <summary>Turns raw network outputs [B, C, H, W] into the task's prediction for display:
    /// class indices, depth, or unit normals.</summary>
    Tensor Activate(Tensor output);
}

/// <summary>A task's training loss: prediction [B, C, H, W] (raw outputs) and label → scalar.</summary>
public interface ITaskLoss
{
    string Name { get; }
    Tensor Compute(Tensor output, Tensor label);
}

/// <summary>A task metric; evaluation accumulates it over a whole split (as the references do, e.g. one confusion
/// matrix for mIoU over all images) and computes it once.</summary>
public interface ITaskMetric
{
    string Name { get; }
    MetricDirection Direction { get; }
    IMetricAccumulator CreateAccumulator();
}

/// <summary>Running state of a metric over a split.</summary>
public interface IMetricAccumulator
{
    /// <summary>Adds a batch: raw outputs [B, C, H, W] and labels in the task's label format.</summary>
    void Update(Tensor output, Tensor label);

    /// <summary>The metric over everything added so far.</summary>
    double Compute();
}
