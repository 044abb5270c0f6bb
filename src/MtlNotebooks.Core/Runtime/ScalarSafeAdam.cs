using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Runtime;

/// <summary>TorchSharp's Adam with the same arithmetic in the same order, but every scalar operand held in a variable until
/// libtorch has used it. TorchSharp turns a <c>double</c> argument into a finalisable <see cref="Scalar"/> and passes its
/// native handle on; once the handle is read nothing keeps the wrapper alive, so a collection on another thread can free the
/// scalar while the native call still reads it (seen as libtorch's "Expected false to be true" in <c>Scalar::toFloat</c>
/// under test load). State and checkpoints are TorchSharp's own.</summary>
internal sealed class ScalarSafeAdam(IEnumerable<TorchSharp.Modules.Adam.ParamGroup> groups, double lr, double weightDecay)
    : TorchSharp.Modules.Adam(groups, lr, weight_decay: weightDecay)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, weightDecay = options.weight_decay!.Value;
        double lr = options.LearningRate!.Value;
        using Scalar keep1 = beta1, keep2 = beta2, take1 = 1 - beta1, take2 = 1 - beta2, decay = weightDecay, eps = options.eps!.Value;
        foreach (var param in group.Parameters)
        {
            var gradient = param.grad;
            if (gradient is null) continue;
            if (options.maximize!.Value) gradient = -gradient;
            var state = (State)_state[param.Handle];
            state.step += 1;
            double correction1 = 1 - Math.Pow(beta1, state.step), correction2 = 1 - Math.Pow(beta2, state.step);
            if (weightDecay != 0) gradient = gradient.add(param, decay);
            state.exp_avg.mul_(keep1).add_(gradient, take1);
            state.exp_avg_sq.mul_(keep2).addcmul_(gradient, gradient.conj(), take2);
            using Scalar root2 = Math.Sqrt(correction2), stepSize = -(lr / correction1);
            var denominator = state.exp_avg_sq.sqrt().div(root2).add_(eps, HeldScalars.One);
            param.addcdiv_(state.exp_avg, denominator, stepSize);
        }
    }, closure);
}
