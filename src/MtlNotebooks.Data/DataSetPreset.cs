using MtlNotebooks.Balancing;
using MtlNotebooks.Data.Synthetic;

namespace MtlNotebooks;

/// <summary>A data set's setup as the papers train on it: the tasks (each with its loss and metrics), the per-task loss
/// weights, the training image size and the split sizes. Real sets name their manifest in <c>data-manifests/</c>;
/// synthetic presets give the same task set on <see cref="SyntheticDataset"/> scenes.</summary>
public sealed record DataSetPreset(
    string Name,
    string Description,
    IReadOnlyList<IDenseTask> Tasks,
    IReadOnlyList<(string Task, double Weight)> Weights,
    int Height,
    int Width,
    int TrainCount,
    int ValidationCount,
    string? ManifestFile)
{
    /// <summary>True for the presets over synthetic scenes (no files needed).</summary>
    public bool IsSynthetic => ManifestFile is null;

    /// <summary>The loss weights as an array for <c>Balancers.FixedWeights(preset.LossWeights)</c>.</summary>
    public (string Task, double Weight)[] LossWeights => [.. Weights];

    /// <summary><see cref="Balancers.FixedWeights"/> with this preset's weights.</summary>
    public FixedWeights Balancer => Balancers.FixedWeights(LossWeights);

    /// <summary>The task names in order.</summary>
    public IReadOnlyList<string> TaskNames => Tasks.Select(t => t.Name).ToArray();
}
