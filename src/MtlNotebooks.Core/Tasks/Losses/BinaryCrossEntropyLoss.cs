using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Tasks.Losses;

/// <summary>Pixel-wise binary cross-entropy on logits [B, 1, H, W] against labels in {0, 1} ([B, 1, H, W];
/// <paramref name="IgnoreValue"/> marks unlabelled pixels). With weighting, the loss is
/// −[w·y·log σ(x) + (1 − w)·(1 − y)·log(1 − σ(x))] as in the references' BalancedCrossEntropyLoss, averaged over
/// the labelled pixels (the references divide by all pixels; they only differ where padding is ignored).</summary>
public sealed record BinaryCrossEntropyLoss(BinaryWeighting Weighting = BinaryWeighting.None, double PositiveWeight = 0.5, int IgnoreValue = 255) : ITaskLoss
{
    public string Name => Weighting switch
    {
        BinaryWeighting.FixedPositiveWeight => $"BCE (positive weight {PositiveWeight:0.###})",
        BinaryWeighting.Balanced => "BCE (balanced)",
        _ => "BCE",
    };

    public Tensor Compute(Tensor output, Tensor label)
    {
        using Scalar ignore = IgnoreValue, noLoss = 0.0, half = 0.5, positive = PositiveWeight, negative = 1 - PositiveWeight;
        var valid = label.ne(ignore);
        var count = valid.sum();
        if (count.item<long>() == 0) return output.sum().mul(noLoss);
        var target = label.ge(half).logical_and(valid).to(output.dtype);
        var validFloat = valid.to(output.dtype);
        Tensor weights = Weighting switch
        {
            BinaryWeighting.None => validFloat,
            BinaryWeighting.FixedPositiveWeight => target.mul(positive).add(Complement(target).mul(negative), One) * validFloat,
            BinaryWeighting.Balanced => Balanced(target, validFloat, count),
            _ => throw new ArgumentOutOfRangeException(nameof(Weighting), Weighting, "Unknown weighting."),
        };
        var perPixel = F.binary_cross_entropy_with_logits(output, target, reduction: nn.Reduction.None);
        return (perPixel * weights).sum() / count;
    }

    private static Tensor Balanced(Tensor target, Tensor valid, Tensor count)
    {
        // w = negatives / labelled pixels, so the rarer class (usually the positives) weighs more.
        var negatives = (Complement(target) * valid).sum();
        var w = (negatives / count.to(target.dtype)).detach();
        return (target * w).add(Complement(target) * Complement(w), One) * valid;
    }

    /// <summary>1 − x, with the scalar and alpha held (<see cref="Runtime.HeldScalars"/>).</summary>
    private static Tensor Complement(Tensor x) => x.neg().add_(One, One);
}
