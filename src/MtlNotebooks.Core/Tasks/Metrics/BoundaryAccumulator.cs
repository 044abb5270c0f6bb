using static TorchSharp.torch;

namespace MtlNotebooks.Tasks.Metrics;

/// <summary>Running boundary-matching counts of <see cref="OdsF"/>; <see cref="Curve"/> is the precision/recall curve.</summary>
public sealed class BoundaryAccumulator : IMetricAccumulator
{
    private readonly double _maxDistance;
    private readonly int _ignoreValue;
    // Histograms by threshold bin: a probability p falls in bin floor(p·(N+1)), and counts at threshold k are the
    // sums over bins ≥ k, so one pass per image serves every threshold.
    private readonly long[] _predicted, _matchedPredicted, _recalledLabels;
    private long _labels;

    public BoundaryAccumulator(double maxDistance = 0.0075, int thresholds = 99, int ignoreValue = 255)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDistance);
        ArgumentOutOfRangeException.ThrowIfLessThan(thresholds, 1);
        (_maxDistance, _ignoreValue) = (maxDistance, ignoreValue);
        _predicted = new long[thresholds + 1];
        _matchedPredicted = new long[thresholds + 1];
        _recalledLabels = new long[thresholds + 1];
    }

    public int ThresholdCount => _predicted.Length - 1;

    /// <summary>Adds raw outputs (logits) [B, 1, H, W] and labels [B, 1, H, W].</summary>
    public void Update(Tensor output, Tensor label)
    {
        using var scope = NewDisposeScope();
        AddProbabilities(output.detach().to(ScalarType.Float32).sigmoid(), label);
    }

    /// <summary>Adds edge probabilities in [0, 1] (already activated) [B, 1, H, W] or [B, H, W] and labels of the same size.</summary>
    public void AddProbabilities(Tensor probabilities, Tensor label)
    {
        using var scope = NewDisposeScope();
        var p = probabilities.detach().to(ScalarType.Float32).cpu().contiguous();
        var y = label.detach().to(ScalarType.Float32).cpu().contiguous();
        if (p.numel() != y.numel())
            throw new ArgumentException($"Edges: predictions [{string.Join(", ", p.shape)}] and labels [{string.Join(", ", y.shape)}] differ in size.");
        int height = (int)p.shape[^2], width = (int)p.shape[^1];
        int images = (int)(p.numel() / ((long)height * width));
        var prob = p.data<float>().ToArray();
        var gt = y.data<float>().ToArray();
        for (int b = 0; b < images; b++) AddImage(prob.AsSpan(b * height * width, height * width), gt.AsSpan(b * height * width, height * width), height, width);
    }

    private void AddImage(ReadOnlySpan<float> prob, ReadOnlySpan<float> gt, int height, int width)
    {
        double radius = _maxDistance * Math.Sqrt((double)height * height + (double)width * width);
        int r = (int)Math.Floor(radius);
        var disk = new List<(int Dy, int Dx)>();
        for (int dy = -r; dy <= r; dy++)
        for (int dx = -r; dx <= r; dx++)
            if (dy * dy + dx * dx <= radius * radius) disk.Add((dy, dx));

        int n = height * width;
        var nearLabel = new bool[n];
        var isLabel = new bool[n];
        var valid = new bool[n];
        for (int i = 0; i < n; i++)
        {
            valid[i] = gt[i] != _ignoreValue;
            isLabel[i] = valid[i] && gt[i] >= 0.5f;
        }
        int bins = ThresholdCount + 1;
        for (int i = 0; i < n; i++)
        {
            if (!isLabel[i]) continue;
            _labels++;
            int y = i / width, x = i % width;
            float best = 0;
            foreach (var (dy, dx) in disk)
            {
                int yy = y + dy, xx = x + dx;
                if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
                int j = yy * width + xx;
                nearLabel[j] = true;
                if (valid[j] && prob[j] > best) best = prob[j];
            }
            _recalledLabels[Bin(best, bins)]++;
        }
        for (int i = 0; i < n; i++)
        {
            if (!valid[i]) continue;
            int bin = Bin(prob[i], bins);
            _predicted[bin]++;
            if (nearLabel[i]) _matchedPredicted[bin]++;
        }
    }

    private static int Bin(float p, int bins) => Math.Clamp((int)Math.Floor(p * bins), 0, bins - 1);

    /// <summary>Per threshold k/(N+1), k = 1..N: precision, recall and F (fractions), BSDS-style (P = 0 when nothing is
    /// predicted, R = 0 when no label edges exist).</summary>
    public IReadOnlyList<(double Threshold, double Precision, double Recall, double F)> Curve()
    {
        var result = new List<(double, double, double, double)>(ThresholdCount);
        long predicted = 0, matched = 0, recalled = 0;
        var suffix = new (long P, long M, long R)[ThresholdCount + 1];
        for (int bin = ThresholdCount; bin >= 1; bin--)
        {
            predicted += _predicted[bin];
            matched += _matchedPredicted[bin];
            recalled += _recalledLabels[bin];
            suffix[bin] = (predicted, matched, recalled);
        }
        for (int k = 1; k <= ThresholdCount; k++)
        {
            var (p, m, rc) = suffix[k];
            double precision = p == 0 ? 0 : (double)m / p;
            double recall = _labels == 0 ? 0 : (double)rc / _labels;
            double f = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            result.Add(((double)k / (ThresholdCount + 1), precision, recall, f));
        }
        return result;
    }

    public double Compute() => _labels == 0 && _predicted.Sum() == 0 ? double.NaN : 100.0 * Curve().Max(c => c.F);
}
