using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Layers;

/// <summary>Stochastic depth (Huang et al. 2016) as timm's ViT uses it: in training, a residual branch is dropped for a
/// whole sample with probability p and the kept ones are scaled by 1/(1 − p); in evaluation, the identity.</summary>
public sealed class DropPath : Module<Tensor, Tensor>
{
    private readonly double _probability;

    public DropPath(double probability) : base(nameof(DropPath))
    {
        if (probability is < 0 or >= 1 || double.IsNaN(probability))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "A drop-path probability lies in [0, 1).");
        _probability = probability;
    }

    public override Tensor forward(Tensor input)
    {
        if (!training || _probability == 0) return input.alias();
        using var scope = NewDisposeScope();
        var shape = new long[input.dim()];
        Array.Fill(shape, 1L);
        shape[0] = input.shape[0];
        var keep = empty(shape, input.dtype, input.device).bernoulli_(1 - _probability);
        Scalar kept = 1 - _probability;   // held through the native call
        return input.mul(keep).div_(kept).MoveToOuterDisposeScope();
    }
}
