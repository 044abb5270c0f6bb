namespace MtlNotebooks.Tasks.Metrics;

/// <summary>Saliency scores as the references' SaliencyMeter computes them: the predicted probability σ(x) is
/// thresholded at <see cref="Thresholds"/> (15 values from 0.2 to 0.9); per image and threshold, IoU (1 when label and
/// prediction are both empty), precision tp/(tp + fp + 1e-12) and recall tp/(tp + fn + 1e-12); averaged over images;
/// the best threshold wins. Labels are {0, 1}, 255 = ignore. Percent.</summary>
public sealed record SaliencyScore(SaliencyStatistic Statistic) : ITaskMetric
{
    /// <summary>np.linspace(0.2, 0.9, 15), the references' thresholds.</summary>
    public static IReadOnlyList<double> Thresholds { get; } = Enumerable.Range(0, 15).Select(i => 0.2 + 0.05 * i).ToArray();

    public string Name => Statistic == SaliencyStatistic.MaxMeanIoU ? "mIoU" : "maxF";
    public MetricDirection Direction => MetricDirection.HigherIsBetter;
    public IMetricAccumulator CreateAccumulator() => new SaliencyAccumulator(Statistic);
}
