using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>Fixed loss weights: L = Σ_t w_t L_t (survey §3, "Fixed"; the papers' per-task weights, e.g. MTI-Net NYUD
/// semseg 1, depth 1, normals 10). Tasks without a weight get <paramref name="DefaultWeight"/>.</summary>
public sealed record FixedWeights(IReadOnlyDictionary<string, double> Weights, double DefaultWeight = 1.0) : ILossBalancer
{
    public bool Separable => true;

    public string Name => Weights.Count == 0
        ? "Fixed (uniform)"
        : $"Fixed ({string.Join(", ", Weights.Select(kv => $"{kv.Key} {kv.Value:0.###}"))})";

    public IEnumerable<string> Validate(BalancerContext context)
    {
        foreach (var task in Weights.Keys.Where(t => !context.Tasks.Contains(t)))
            yield return $"UseBalancer(Fixed): weight given for unknown task '{task}'; tasks are {string.Join(", ", context.Tasks)}.";
        foreach (var (task, weight) in Weights.Where(kv => !(kv.Value >= 0) || double.IsInfinity(kv.Value)))
            yield return $"UseBalancer(Fixed): weight of task '{task}' must be finite and >= 0, got {weight}.";
        if (!(DefaultWeight >= 0) || double.IsInfinity(DefaultWeight))
            yield return $"UseBalancer(Fixed): default weight must be finite and >= 0, got {DefaultWeight}.";
    }

    public LossBalancer Create(BalancerContext context) =>
        new FixedWeightsModule(context.Tasks.Select(t => Weights.TryGetValue(t, out var w) ? w : DefaultWeight).ToArray(), context.Tasks);
}

/// <summary>Runtime of <see cref="FixedWeights"/>: weights in a buffer so they travel with checkpoints.</summary>
public sealed class FixedWeightsModule : WeightedLossBalancer
{
    private readonly Tensor weights;

    public FixedWeightsModule(double[] weights, IReadOnlyList<string>? tasks = null) : base(nameof(FixedWeights), tasks)
    {
        this.weights = tensor(weights, ScalarType.Float32);
        RegisterComponents();
    }

    protected override (Tensor Total, Tensor Weights) Combine(TaskLosses losses, StepContext step)
    {
        var w = ForLosses(weights.to(losses.Values.First().device), losses);
        return ((w * losses.Stack()).sum(), w);
    }
}
