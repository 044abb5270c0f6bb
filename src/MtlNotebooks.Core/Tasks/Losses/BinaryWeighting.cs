namespace MtlNotebooks.Tasks.Losses;

/// <summary>How <see cref="BinaryCrossEntropyLoss"/> weighs positive against negative pixels.</summary>
public enum BinaryWeighting
{
    /// <summary>Plain BCE: every pixel weight 1.</summary>
    None,

    /// <summary>Positives weigh w, negatives 1 − w, with a fixed w (edges: w = 0.95, ASTMT appendix, MTI-Net code).</summary>
    FixedPositiveWeight,

    /// <summary>w = the fraction of negative pixels in the batch's label (HED-style; the references' saliency loss).</summary>
    Balanced,
}
