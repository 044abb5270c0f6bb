using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>Balancers that weight the losses and back-propagate the weighted sum.</summary>
public abstract class WeightedLossBalancer : LossBalancer
{
    protected WeightedLossBalancer(string name) : base(name) { }

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
