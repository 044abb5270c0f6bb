namespace MtlNotebooks.Tasks.Metrics;

/// <summary>Which saliency score <see cref="SaliencyScore"/> reports.</summary>
public enum SaliencyStatistic
{
    /// <summary>max over thresholds of the mean per-image IoU of the foreground ("Sal. (IoU)", survey Table V(b); MTI-Net).</summary>
    MaxMeanIoU,

    /// <summary>max over thresholds of F = 2·P̄·R̄ / (P̄ + R̄), P̄ and R̄ averaged over images (maxF, ASTMT Table 2).</summary>
    MaxF,
}
