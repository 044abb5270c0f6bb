using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MtlNotebooks.Tasks.Metrics;

/// <summary>Mean intersection-over-union in percent, from one confusion matrix over the whole split; classes that
/// appear neither in labels nor predictions are left out of the mean (the references' convention).</summary>
public sealed record MeanIoU(int Classes, int IgnoreIndex = 255) : ITaskMetric
{
    public string Name => "mIoU";
    public MetricDirection Direction => MetricDirection.HigherIsBetter;
    public IMetricAccumulator CreateAccumulator() => new ConfusionMatrix(Classes, IgnoreIndex, pixelAccuracy: false);
}

/// <summary>Pixel accuracy in percent over non-ignored pixels.</summary>
public sealed record PixelAccuracy(int Classes, int IgnoreIndex = 255) : ITaskMetric
{
    public string Name => "pixel acc";
    public MetricDirection Direction => MetricDirection.HigherIsBetter;
    public IMetricAccumulator CreateAccumulator() => new ConfusionMatrix(Classes, IgnoreIndex, pixelAccuracy: true);
}

internal sealed class ConfusionMatrix(int classes, int ignoreIndex, bool pixelAccuracy) : IMetricAccumulator
{
    private readonly long[] _counts = new long[classes * classes]; // [label, prediction]

    public void Update(Tensor output, Tensor label)
    {
        using var scope = NewDisposeScope();
        var prediction = output.argmax(1).flatten();
        var target = label.flatten().to(ScalarType.Int64);
        var valid = target.ne(ignoreIndex);
        var outOfRange = target.lt(0).logical_or(target.ge(classes)).logical_and(valid);
        if (outOfRange.any().item<bool>())
            throw new ArgumentException($"Label values must be in [0, {classes}) or {ignoreIndex} (ignore); found {target.masked_select(outOfRange)[0].item<long>()}.");
        var index = target.masked_select(valid) * classes + prediction.masked_select(valid);
        var counts = index.bincount(null, classes * classes).cpu().data<long>().ToArray();
        for (int i = 0; i < _counts.Length; i++) _counts[i] += counts[i];
    }

    public double Compute()
    {
        if (pixelAccuracy)
        {
            long correct = 0, total = 0;
            for (int c = 0; c < classes; c++) correct += _counts[c * classes + c];
            foreach (var n in _counts) total += n;
            return total == 0 ? double.NaN : 100.0 * correct / total;
        }
        double sum = 0;
        int present = 0;
        for (int c = 0; c < classes; c++)
        {
            long tp = _counts[c * classes + c], labelled = 0, predicted = 0;
            for (int k = 0; k < classes; k++)
            {
                labelled += _counts[c * classes + k];
                predicted += _counts[k * classes + c];
            }
            long union = labelled + predicted - tp;
            if (union == 0) continue;
            sum += (double)tp / union;
            present++;
        }
        return present == 0 ? double.NaN : 100.0 * sum / present;
    }
}

/// <summary>Root mean squared error over all valid pixels of the split (label &gt; 0), as MTI-Net evaluates depth.</summary>
public sealed record Rmse : ITaskMetric
{
    public string Name => "RMSE";
    public MetricDirection Direction => MetricDirection.LowerIsBetter;
    public IMetricAccumulator CreateAccumulator() => new Accumulator();

    private sealed class Accumulator : IMetricAccumulator
    {
        private double _squaredError;
        private long _pixels;

        public void Update(Tensor output, Tensor label)
        {
            using var scope = NewDisposeScope();
            var valid = label.gt(0);
            _squaredError += (output - label).pow(2).masked_select(valid).sum().to(ScalarType.Float64).item<double>();
            _pixels += valid.sum().item<long>();
        }

        public double Compute() => _pixels == 0 ? double.NaN : Math.Sqrt(_squaredError / _pixels);
    }
}

/// <summary>Mean angle in degrees between predicted (normalised) and label normals over valid pixels
/// ("mErr" in survey Table V(b)).</summary>
public sealed record MeanAngularError : ITaskMetric
{
    public string Name => "mean angle (deg)";
    public MetricDirection Direction => MetricDirection.LowerIsBetter;
    public IMetricAccumulator CreateAccumulator() => new Accumulator();

    private sealed class Accumulator : IMetricAccumulator
    {
        private double _degrees;
        private long _pixels;

        public void Update(Tensor output, Tensor label)
        {
            using var scope = NewDisposeScope();
            var unit = F.normalize(output.to(ScalarType.Float64), p: 2, dim: 1);
            var target = label.to(ScalarType.Float64);
            var valid = target.abs().sum(1).gt(0);
            var cosine = (unit * target).sum(1).clamp(-1.0, 1.0);
            var angles = cosine.acos().masked_select(valid) * (180.0 / Math.PI);
            _degrees += angles.sum().item<double>();
            _pixels += valid.sum().item<long>();
        }

        public double Compute() => _pixels == 0 ? double.NaN : _degrees / _pixels;
    }
}
