using TorchSharp;
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
        // Class maps often arrive as uint8 (PNG) or int32; libtorch's cross-entropy takes int64 only.
        if (label.dtype != ScalarType.Int64) label = label.to(ScalarType.Int64);
        using Scalar ignore = IgnoreIndex, noLoss = 0.0;
        var valid = label.ne(ignore);
        // All pixels ignored: a zero that keeps the graph, instead of the NaN that 0/0 would give.
        if (!valid.any().item<bool>()) return output.sum().mul(noLoss);
        return F.cross_entropy(output, label, ignore_index: IgnoreIndex, reduction: nn.Reduction.Mean);
    }
}
