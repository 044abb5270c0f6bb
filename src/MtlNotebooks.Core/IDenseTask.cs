using static TorchSharp.torch;

namespace MtlNotebooks;

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

    /// <summary>The label the loss expects; checked with the outputs before the loss, so a wrong rank, dtype or channel
    /// count is named instead of broadcasting into a meaningless loss. Null (the default for a task of your own) checks
    /// only batch and spatial sizes; the built-in tasks declare theirs.</summary>
    TaskLabelShape? Label => null;

    /// <summary>Problems with the task's own settings (empty when valid).</summary>
    IEnumerable<string> Validate() => [];

    /// <summary>Turns raw network outputs [B, C, H, W] into the task's prediction for display:
    /// class indices, depth, or unit normals.</summary>
    Tensor Activate(Tensor output);
}
