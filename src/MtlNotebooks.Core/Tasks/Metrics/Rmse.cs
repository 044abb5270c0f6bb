using TorchSharp;
using F = TorchSharp.torch.nn.functional;
using static TorchSharp.torch;

namespace MtlNotebooks.Tasks.Metrics;

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
            using Scalar zero = 0, two = 2;
            var valid = label.gt(zero);
            _squaredError += (output - label).pow(two).masked_select(valid).sum().to(ScalarType.Float64).item<double>();
            _pixels += valid.sum().item<long>();
        }

        public double Compute() => _pixels == 0 ? double.NaN : Math.Sqrt(_squaredError / _pixels);
    }
}
