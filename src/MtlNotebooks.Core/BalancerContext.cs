using MtlNotebooks.Balancing;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>What a balancer may rely on when it is created: every task with a loss (main, then auxiliary).</summary>
public sealed record BalancerContext(IReadOnlyList<string> Tasks, Device Device)
{
    /// <summary>The number of trainable elements of the network's shared parameters (<see cref="MultiTaskNet.SharedParameters"/>),
    /// measured when called: balancers that keep per-task gradient state (MoCo, DB-MTL, ExcessMTL) size their buffers with
    /// it, so a checkpoint's state fits them. Null when a balancer is created without a network; such a balancer sizes
    /// its state at its first step.</summary>
    public Func<long>? SharedParameterCount { get; init; }
}
