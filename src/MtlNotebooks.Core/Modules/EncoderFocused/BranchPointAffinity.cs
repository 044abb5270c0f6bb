namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>Task affinity at every candidate branch point of a staged backbone (the stages' outputs), measured by representation
/// similarity analysis of trained single-task networks (<see cref="RepresentationSimilarity.Measure(MultiTaskNet, TorchSharp.torch.Tensor)"/>).</summary>
/// <param name="Tasks">The tasks, in the order of the matrices' rows.</param>
/// <param name="BranchPoints">Each stage's output (the backbone's level names), shallow to deep.</param>
/// <param name="Values">Per branch point a symmetric task × task matrix: the Spearman correlation of the two tasks'
/// representational dissimilarity matrices, 1 on the diagonal.</param>
public sealed record BranchPointAffinity(IReadOnlyList<string> Tasks, IReadOnlyList<string> BranchPoints, IReadOnlyList<double[,]> Values)
{
    /// <summary>Affinity of <paramref name="a"/> and <paramref name="b"/> at branch point <paramref name="point"/> (0-based).</summary>
    public double Affinity(int point, string a, string b) => Values[point][Index(a), Index(b)];

    /// <summary>1 − affinity: how differently two tasks' networks represent the probe images at a branch point. An undefined
    /// affinity (a representation that is constant over the probe images) counts as 0, dissimilarity 1.</summary>
    public double Dissimilarity(int point, string a, string b) => a == b ? 0 : 1 - (Affinity(point, a, b) is var v && double.IsFinite(v) ? v : 0);

    private int Index(string task)
    {
        for (int i = 0; i < Tasks.Count; i++)
            if (Tasks[i] == task) return i;
        throw new ArgumentException($"No task '{task}' in the affinity; its tasks are {string.Join(", ", Tasks)}.", nameof(task));
    }
}
