using MtlNotebooks.Balancing;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>What a balancer did in a step, copied to doubles: per-task weights and the combined loss.</summary>
public sealed record BalancerStep(IReadOnlyDictionary<string, double> Weights, double TotalLoss)
{
    /// <summary>Per-task L2 norms of the task gradients the balancer computed (over the shared parameters or the last
    /// shared layer); null for balancers that compute none.</summary>
    public IReadOnlyDictionary<string, double>? GradientNorms { get; init; }
}
