using static TorchSharp.torch;

namespace MtlNotebooks.Tasks.Metrics;

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
