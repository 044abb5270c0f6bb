using TorchSharp;
using F = TorchSharp.torch.nn.functional;
using static TorchSharp.torch;

namespace MtlNotebooks.Tasks.Metrics;

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
            using Scalar zero = 0, minusOne = -1.0, one = 1.0, degrees = 180.0 / Math.PI;
            var valid = target.abs().sum(1).gt(zero);
            var cosine = (unit * target).sum(1).clamp(minusOne, one);
            var angles = cosine.acos().masked_select(valid).mul(degrees);
            _degrees += angles.sum().item<double>();
            _pixels += valid.sum().item<long>();
        }

        public double Compute() => _pixels == 0 ? double.NaN : _degrees / _pixels;
    }
}
