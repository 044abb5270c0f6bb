using TorchSharp;
using F = TorchSharp.torch.nn.functional;
using static TorchSharp.torch;

namespace MtlNotebooks.Tasks.Losses;

/// <summary>L1 between L2-normalised predicted normals and unit label normals, on pixels whose label is a
/// non-zero vector (the reference code normalises the prediction first). Averaged over valid pixels × 3.</summary>
public sealed record NormalsL1Loss : ITaskLoss
{
    public string Name => "L1 (unit normals)";

    public Tensor Compute(Tensor output, Tensor label)
    {
        using Scalar zero = 0, noLoss = 0.0;
        var unit = F.normalize(output, p: 2, dim: 1);
        var valid = label.abs().sum(1, keepdim: true).gt(zero).expand_as(label);
        var count = valid.sum();
        if (count.item<long>() == 0) return output.sum().mul(noLoss);
        return (unit - label).abs().masked_select(valid).sum() / count;
    }
}
