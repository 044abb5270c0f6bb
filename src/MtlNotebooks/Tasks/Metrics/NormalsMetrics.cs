using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MtlNotebooks.Tasks.Metrics;

/// <summary>Median angle in degrees between predicted (normalised) and label normals over the valid pixels of a split,
/// as the references' eval_normals. The median comes from a histogram of 0.001° bins, so it is exact to 0.001°
/// without keeping every pixel's angle (NYUD's test split has 2·10⁸ pixels).</summary>
public sealed record MedianAngularError : ITaskMetric
{
    public string Name => "median angle (deg)";
    public MetricDirection Direction => MetricDirection.LowerIsBetter;
    public IMetricAccumulator CreateAccumulator() => new AngleAccumulator(null);
}

/// <summary>Percentage of valid pixels whose angular error is below <paramref name="Degrees"/> (11.25°, 22.5°, 30° in the
/// references and the papers' tables).</summary>
public sealed record AngleWithin(double Degrees) : ITaskMetric
{
    public string Name => $"< {Degrees:0.##}°";
    public MetricDirection Direction => MetricDirection.HigherIsBetter;
    public IMetricAccumulator CreateAccumulator() => new AngleAccumulator(Degrees);
}

/// <summary>Angles of a split as a histogram; <c>within</c> null → median, else % below <c>within</c>.</summary>
internal sealed class AngleAccumulator(double? within) : IMetricAccumulator
{
    internal const double BinDegrees = 0.001;
    private readonly long[] _histogram = within is null ? new long[(int)(180 / BinDegrees) + 1] : [];
    private long _below, _pixels;

    internal static Tensor Angles(Tensor output, Tensor label)
    {
        var unit = F.normalize(output.to(ScalarType.Float64), p: 2, dim: 1);
        var target = label.to(ScalarType.Float64);
        var valid = target.abs().sum(1).gt(0);
        var cosine = (unit * target).sum(1).clamp(-1.0, 1.0);
        return cosine.acos().masked_select(valid) * (180.0 / Math.PI);
    }

    public void Update(Tensor output, Tensor label)
    {
        using var scope = NewDisposeScope();
        var angles = Angles(output, label);
        _pixels += angles.numel();
        if (within is double limit)
        {
            _below += angles.lt(limit).sum().item<long>();
            return;
        }
        var bins = (angles / BinDegrees).floor().to(ScalarType.Int64).clamp(0, _histogram.Length - 1);
        var counts = bins.bincount(null, _histogram.Length).cpu().data<long>().ToArray();
        for (int i = 0; i < counts.Length; i++) _histogram[i] += counts[i];
    }

    public double Compute()
    {
        if (_pixels == 0) return double.NaN;
        if (within is not null) return 100.0 * _below / _pixels;
        // The middle element (numpy's median averages the two middle ones; at 0.001° bins the difference vanishes).
        long rank = (_pixels - 1) / 2, seen = 0;
        for (int i = 0; i < _histogram.Length; i++)
        {
            seen += _histogram[i];
            if (seen > rank) return (i + 0.5) * BinDegrees;
        }
        return 180.0;
    }
}
