using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MtlNotebooks.Tasks.Losses;

/// <summary>Pixel-wise cross-entropy over classes with an ignore index (255 in PASCAL and NYUD labels).
/// Averaged over non-ignored pixels, as the reference code's log-softmax + NLL does.</summary>
public sealed record CrossEntropyLoss(int IgnoreIndex = 255) : ITaskLoss
{
    public string Name => "cross-entropy";

    public Tensor Compute(Tensor output, Tensor label)
    {
        var valid = label.ne(IgnoreIndex);
        // All pixels ignored: a zero that keeps the graph, instead of the NaN that 0/0 would give.
        if (!valid.any().item<bool>()) return output.sum() * 0.0;
        return F.cross_entropy(output, label, ignore_index: IgnoreIndex, reduction: nn.Reduction.Mean);
    }
}

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

/// <summary>L1 between L2-normalised predicted normals and unit label normals, on pixels whose label is a
/// non-zero vector (the reference code normalises the prediction first). Averaged over valid pixels × 3.</summary>
public sealed record NormalsL1Loss : ITaskLoss
{
    public string Name => "L1 (unit normals)";

    public Tensor Compute(Tensor output, Tensor label)
    {
        var unit = F.normalize(output, p: 2, dim: 1);
        var valid = label.abs().sum(1, keepdim: true).gt(0).expand_as(label);
        var count = valid.sum();
        if (count.item<long>() == 0) return output.sum() * 0.0;
        return (unit - label).abs().masked_select(valid).sum() / count;
    }
}
