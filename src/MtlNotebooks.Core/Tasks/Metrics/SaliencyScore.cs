using static TorchSharp.torch;

namespace MtlNotebooks.Tasks.Metrics;

/// <summary>Which saliency score <see cref="SaliencyScore"/> reports.</summary>
public enum SaliencyStatistic
{
    /// <summary>max over thresholds of the mean per-image IoU of the foreground ("Sal. (IoU)", survey Table V(b); MTI-Net).</summary>
    MaxMeanIoU,

    /// <summary>max over thresholds of F = 2·P̄·R̄ / (P̄ + R̄), P̄ and R̄ averaged over images (maxF, ASTMT Table 2).</summary>
    MaxF,
}

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

/// <summary>Running state of <see cref="SaliencyScore"/>; <see cref="Curve"/> gives the per-threshold averages.</summary>
public sealed class SaliencyAccumulator(SaliencyStatistic statistic = SaliencyStatistic.MaxMeanIoU, int ignoreValue = 255) : IMetricAccumulator
{
    private readonly double[] _iou = new double[SaliencyScore.Thresholds.Count];
    private readonly double[] _precision = new double[SaliencyScore.Thresholds.Count];
    private readonly double[] _recall = new double[SaliencyScore.Thresholds.Count];
    private long _images;

    public void Update(Tensor output, Tensor label)
    {
        using var scope = NewDisposeScope();
        var probability = output.detach().to(ScalarType.Float32).sigmoid().cpu().contiguous();
        var target = label.detach().to(ScalarType.Float32).cpu().contiguous();
        int batch = (int)probability.shape[0];
        long pixels = probability.numel() / batch;
        if (target.numel() != probability.numel())
            throw new ArgumentException($"Saliency: output [{string.Join(", ", output.shape)}] and label [{string.Join(", ", label.shape)}] differ in size.");
        var p = probability.data<float>().ToArray();
        var y = target.data<float>().ToArray();
        for (int b = 0; b < batch; b++)
        {
            for (int k = 0; k < _iou.Length; k++)
            {
                double t = SaliencyScore.Thresholds[k];
                long tp = 0, fp = 0, fn = 0;
                for (long i = b * pixels; i < (b + 1) * pixels; i++)
                {
                    if (y[i] == ignoreValue) continue;
                    bool predicted = p[i] > t, positive = y[i] >= 0.5f;
                    if (predicted && positive) tp++;
                    else if (predicted) fp++;
                    else if (positive) fn++;
                }
                _iou[k] += tp + fp + fn == 0 ? 1.0 : (double)tp / (tp + fp + fn);
                _precision[k] += tp / (tp + fp + 1e-12);
                _recall[k] += tp / (tp + fn + 1e-12);
            }
            _images++;
        }
    }

    /// <summary>Per threshold: mean IoU, mean precision, mean recall and F of the means (fractions, not percent).</summary>
    public IReadOnlyList<(double Threshold, double MeanIoU, double Precision, double Recall, double F)> Curve() =>
        SaliencyScore.Thresholds.Select((t, k) =>
        {
            double p = _precision[k] / _images, r = _recall[k] / _images;
            return (t, _iou[k] / _images, p, r, 2 * p * r / (p + r + 1e-12));
        }).ToArray();

    public double Compute()
    {
        if (_images == 0) return double.NaN;
        var curve = Curve();
        return 100.0 * (statistic == SaliencyStatistic.MaxMeanIoU ? curve.Max(c => c.MeanIoU) : curve.Max(c => c.F));
    }
}
