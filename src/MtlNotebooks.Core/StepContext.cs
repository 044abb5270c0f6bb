using MtlNotebooks.Balancing;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks;

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
