using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>The runtime half of a balancer. It is an nn.Module, so learnable weights (uncertainty, GradNorm) are saved in
/// checkpoints, moved with the network and optimised as their own parameter group. It owns the backward pass, so
/// gradient-manipulating methods (MGDA, PCGrad) fit the same contract as loss weighting.</summary>
public abstract class LossBalancer : nn.Module
{
    protected LossBalancer(string name) : base(name) { }

    /// <summary>Runs the backward pass of one step; the trainer then calls optimizer.step().</summary>
    public abstract BalancerStep Backward(TaskLosses losses, StepContext step);

    /// <summary>Called after every epoch with the mean losses (DWA needs them); no case in the trainer.</summary>
    public virtual void OnEpochEnd(EpochSummary epoch) { }

    /// <summary>Called after every validation pass with its metrics, before <see cref="OnEpochEnd"/> (DTP derives its key
    /// performance indicators from them); no case in the trainer.</summary>
    public virtual void OnEvaluation(EvaluationRecord evaluation) { }

    /// <summary>Per-task values of a [T] tensor (or array) as a dictionary keyed by task, for <see cref="BalancerStep"/>.</summary>
    protected static IReadOnlyDictionary<string, double> PerTask(IReadOnlyList<string> tasks, Tensor values) =>
        PerTaskValues(tasks, values.detach().cpu().to(ScalarType.Float64).data<double>().ToArray());

    /// <inheritdoc cref="PerTask(IReadOnlyList{string}, Tensor)"/>
    protected static IReadOnlyDictionary<string, double> PerTaskValues(IReadOnlyList<string> tasks, IReadOnlyList<double> values) =>
        tasks.Select((t, i) => (t, values[i])).ToDictionary(x => x.t, x => x.Item2);

    /// <summary>Back-propagates the plain sum Σ_t L_t with weights 1: what every balancer does when there is nothing to
    /// balance (a single task, or no shared parameters as in the single-task baselines).</summary>
    protected static BalancerStep PlainSum(TaskLosses losses)
    {
        using var scope = NewDisposeScope();
        var total = losses.Stack().sum();
        total.backward();
        return new BalancerStep(PerTaskValues(losses.Tasks, Enumerable.Repeat(1.0, losses.Count).ToArray()),
            total.detach().cpu().to(ScalarType.Float64).item<double>());
    }
}
