using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>Balancers that weight the losses and back-propagate the weighted sum.</summary>
public abstract class WeightedLossBalancer : LossBalancer
{
    protected WeightedLossBalancer(string name, IReadOnlyList<string>? tasks = null) : base(name) => Tasks = tasks;

    /// <summary>Every task the balancer was created for, in order; null when the balancer only ever sees all of them.</summary>
    protected IReadOnlyList<string>? Tasks { get; }

    /// <summary>The entries of a per-task vector [T] (over <see cref="Tasks"/>) for the tasks of <paramref name="losses"/>:
    /// the whole vector in a step over every task, a part of it when a task-conditional network steps one task at a time.</summary>
    protected Tensor ForLosses(Tensor perTask, TaskLosses losses)
    {
        if (Tasks is null || losses.Tasks.SequenceEqual(Tasks)) return perTask;
        var index = losses.Tasks.Select(t => Tasks.Contains(t)
            ? (long)Tasks.ToList().IndexOf(t)
            : throw new ArgumentException($"{GetName()}: no weight for task '{t}'; it was created for {string.Join(", ", Tasks)}.")).ToArray();
        return perTask.index_select(0, tensor(index, device: perTask.device));
    }

    /// <summary>The total loss to back-propagate and the per-task weights [T] used.</summary>
    protected abstract (Tensor Total, Tensor Weights) Combine(TaskLosses losses, StepContext step);

    public sealed override BalancerStep Backward(TaskLosses losses, StepContext step)
    {
        using var scope = NewDisposeScope();
        var (total, weights) = Combine(losses, step);
        total.backward();
        var w = weights.detach().cpu().to(ScalarType.Float64).data<double>().ToArray();
        return new BalancerStep(
            losses.Tasks.Select((t, i) => (t, w[i])).ToDictionary(x => x.t, x => x.Item2),
            total.detach().cpu().to(ScalarType.Float64).item<double>());
    }
}
