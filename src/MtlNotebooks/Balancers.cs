using MtlNotebooks.Balancing;

namespace MtlNotebooks;

/// <summary>Loss balancer factory (survey §3).</summary>
public static class Balancers
{
    /// <summary>Uniform weights: every task's loss counts once.</summary>
    public static FixedWeights Uniform() => new(new Dictionary<string, double>());

    /// <summary>Fixed per-task weights, e.g. <c>Balancers.Fixed(("normals", 10), ("edge", 50))</c> (ASTMT appendix);
    /// tasks not named get weight 1.</summary>
    public static FixedWeights Fixed(params (string Task, double Weight)[] weights) =>
        new(weights.ToDictionary(w => w.Task, w => w.Weight));
}
