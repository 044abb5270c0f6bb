using TorchSharp;
using F = TorchSharp.torch.nn.functional;
using static TorchSharp.torch;

namespace MtlNotebooks.Tasks.Losses;

/// <summary>L1 on valid pixels (label &gt; 0), the depth loss of the ASTMT appendix and MTI-Net.</summary>
public sealed record MaskedL1Loss : ITaskLoss
{
    public string Name => "L1 (valid pixels)";

    public Tensor Compute(Tensor output, Tensor label)
    {
        using Scalar zero = 0, noLoss = 0.0;
        var valid = label.gt(zero);
        var count = valid.sum();
        if (count.item<long>() == 0) return output.sum().mul(noLoss);
        return (output - label).abs().masked_select(valid).sum() / count;
    }
}
