using F = TorchSharp.torch.nn.functional;
using static TorchSharp.torch;

namespace MtlNotebooks.Tasks.Losses;

/// <summary>L1 on valid pixels (label &gt; 0), the depth loss of the ASTMT appendix and MTI-Net.</summary>
public sealed record MaskedL1Loss : ITaskLoss
{
    public string Name => "L1 (valid pixels)";

    public Tensor Compute(Tensor output, Tensor label)
    {
        var valid = label.gt(0);
        var count = valid.sum();
        if (count.item<long>() == 0) return output.sum() * 0.0;
        return (output - label).abs().masked_select(valid).sum() / count;
    }
}
