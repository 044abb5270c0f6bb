using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Tasks.Metrics;

/// <summary>A depth error over all valid pixels of a split (label &gt; 0), pooled per pixel as MTI-Net evaluates depth
/// (not averaged per image). Predictions are clamped to ≥ 1e-9 before logs and ratios, as the references do.</summary>
public sealed record DepthError(DepthStatistic Statistic) : ITaskMetric
{
    public string Name => Statistic switch
    {
        DepthStatistic.Rmse => "RMSE",
        DepthStatistic.LogRmse => "log RMSE",
        DepthStatistic.AbsRel => "abs rel",
        DepthStatistic.Delta1 => "δ<1.25",
        DepthStatistic.Delta2 => "δ<1.25²",
        DepthStatistic.Delta3 => "δ<1.25³",
        _ => throw new ArgumentOutOfRangeException(nameof(Statistic), Statistic, "Unknown depth statistic."),
    };

    public MetricDirection Direction => Statistic is DepthStatistic.Delta1 or DepthStatistic.Delta2 or DepthStatistic.Delta3
        ? MetricDirection.HigherIsBetter
        : MetricDirection.LowerIsBetter;

    public IMetricAccumulator CreateAccumulator() => new DepthErrorAccumulator(Statistic);
}

internal sealed class DepthErrorAccumulator(DepthStatistic statistic) : IMetricAccumulator
{
    private double _sum;
    private long _pixels;

    public void Update(Tensor output, Tensor label)
    {
        using var scope = NewDisposeScope();
        var target = label.to(ScalarType.Float64);
        using Scalar zero = 0, tiny = 1e-9, two = 2, threshold = Threshold;
        var valid = target.gt(zero);
        var d = target.masked_select(valid);
        var p = output.to(ScalarType.Float64).masked_select(valid);
        var clamped = p.clamp_min(tiny);
        Tensor terms = statistic switch
        {
            DepthStatistic.Rmse => (p - d).pow(two),
            DepthStatistic.LogRmse => (clamped.log() - d.log()).pow(two),
            DepthStatistic.AbsRel => (p - d).abs() / d,
            _ => maximum(clamped / d, d / clamped).lt(threshold).to(ScalarType.Float64),
        };
        _sum += terms.sum().item<double>();
        _pixels += d.numel();
    }

    private double Threshold => statistic switch
    {
        DepthStatistic.Delta1 => 1.25,
        DepthStatistic.Delta2 => 1.25 * 1.25,
        _ => 1.25 * 1.25 * 1.25,
    };

    public double Compute()
    {
        if (_pixels == 0) return double.NaN;
        double mean = _sum / _pixels;
        return statistic switch
        {
            DepthStatistic.Rmse or DepthStatistic.LogRmse => Math.Sqrt(mean),
            DepthStatistic.AbsRel => mean,
            _ => 100.0 * mean,
        };
    }
}
