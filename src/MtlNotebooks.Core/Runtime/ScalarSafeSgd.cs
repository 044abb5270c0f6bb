using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Runtime;

/// <summary>TorchSharp's SGD with the same arithmetic in the same order and every scalar operand held until libtorch has
/// used it; why: <see cref="ScalarSafeAdam"/>.</summary>
internal sealed class ScalarSafeSgd(IEnumerable<TorchSharp.Modules.SGD.ParamGroup> groups, double lr, double momentum, double weightDecay, bool nesterov)
    : TorchSharp.Modules.SGD(groups, lr, momentum: momentum, weight_decay: weightDecay, nesterov: nesterov)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double momentum = options.momentum!.Value, weightDecay = options.weight_decay!.Value, lr = options.LearningRate!.Value;
        using Scalar decay = weightDecay, keep = momentum, take = 1 - options.dampening!.Value,
            rate = options.maximize!.Value ? lr : -lr;
        foreach (var param in group.Parameters)
        {
            var gradient = param.grad;
            if (gradient is null) continue;
            var state = (State)_state[param.Handle];
            if (weightDecay != 0) gradient = gradient.add(param, decay);
            if (momentum != 0)
            {
                var buffer = state.momentum_buffer;
                if (buffer is null) state.momentum_buffer = buffer = gradient.clone().detach().DetachFromDisposeScope();
                else buffer.mul_(keep).add_(gradient, take);
                gradient = options.nesterov!.Value ? gradient.add(buffer, keep) : buffer;
            }
            param.add_(gradient, rate);
        }
    }, closure);
}
