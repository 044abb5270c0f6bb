using TorchSharp;
using F = TorchSharp.torch.nn.functional;
using static TorchSharp.torch;

namespace MtlNotebooks.Tasks.Metrics;

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
        using Scalar zero = 0, minusOne = -1.0, one = 1.0, degrees = 180.0 / Math.PI;
        var valid = target.abs().sum(1).gt(zero);
        var cosine = (unit * target).sum(1).clamp(minusOne, one);
        return cosine.acos().masked_select(valid).mul(degrees);
    }

    public void Update(Tensor output, Tensor label)
    {
        using var scope = NewDisposeScope();
        var angles = Angles(output, label);
        _pixels += angles.numel();
        if (within is double limit)
        {
            using Scalar bound = limit;
            _below += angles.lt(bound).sum().item<long>();
            return;
        }
        using Scalar bin = BinDegrees, first = 0, last = _histogram.Length - 1;
        var bins = angles.div(bin).floor().to(ScalarType.Int64).clamp(first, last);
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
