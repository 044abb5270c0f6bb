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

/// <summary>One optimisation step as a balancer sees it: the shared parameters (where the tasks meet) and the position
/// in training. Architectures and balancers meet only here and in <see cref="TaskLosses"/>.</summary>
public sealed record StepContext(IReadOnlyList<Parameter> SharedParameters, int Epoch, long Step)
{
    /// <summary>Epochs of the whole run (0 when unknown): schedules that ramp over training need it (ASTMT's reversal weight).</summary>
    public int Epochs { get; init; }

    private readonly IReadOnlyList<Parameter>? _lastSharedParameters;

    /// <summary>The last shared layer (<see cref="MultiTaskNet.LastSharedParameters"/>): where GradNorm measures gradient
    /// norms and MGDA-UB its task gradients, because the gradients there are cheap to get (survey §3.1.2). Defaults to
    /// <see cref="SharedParameters"/>.</summary>
    public IReadOnlyList<Parameter> LastSharedParameters
    {
        get => _lastSharedParameters ?? SharedParameters;
        init => _lastSharedParameters = value;
    }
}

/// <summary>Mean unweighted loss per task over an epoch (DWA uses it).</summary>
public sealed record EpochSummary(int Epoch, IReadOnlyDictionary<string, double> MeanLoss);

/// <summary>What a balancer did in a step, copied to doubles: per-task weights and the combined loss.</summary>
public sealed record BalancerStep(IReadOnlyDictionary<string, double> Weights, double TotalLoss)
{
    /// <summary>Per-task L2 norms of the task gradients the balancer computed (over the shared parameters or the last
    /// shared layer); null for balancers that compute none.</summary>
    public IReadOnlyDictionary<string, double>? GradientNorms { get; init; }
}

/// <summary>A loss balancer spec (survey §3): how per-task losses become one update of the network.</summary>
public interface ILossBalancer
{
    string Name { get; }

    /// <summary>True when each task's weight depends only on that task's loss and the balancer's own state, so the
    /// balancer applies equally when tasks take their optimiser steps one at a time (task-conditional networks: ASTMT).
    /// Its runtime must then accept losses of a subset of its tasks. Gradient methods need every task in one step: false.</summary>
    bool Separable => false;

    IEnumerable<string> Validate(BalancerContext context) => [];
    LossBalancer Create(BalancerContext context);
}
