using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Tasks.Metrics;

/// <summary>Human-part mIoU in percent from one confusion matrix over the images that contain people: an image whose
/// label holds no part (only background 0 and ignore) is skipped, as the references' eval_human_parts does. Classes
/// that appear neither in the labels nor in the predictions of those images are left out of the mean (the references
/// count them as IoU 0; on PASCAL-Context every part occurs, so both agree).</summary>
public sealed record PartsMeanIoU(int Classes, int IgnoreIndex = 255) : ITaskMetric
{
    public string Name => "mIoU";
    public MetricDirection Direction => MetricDirection.HigherIsBetter;
    public IMetricAccumulator CreateAccumulator() => new Accumulator(Classes, IgnoreIndex);

    private sealed class Accumulator(int classes, int ignoreIndex) : IMetricAccumulator
    {
        private readonly ConfusionMatrix _matrix = new(classes, ignoreIndex, pixelAccuracy: false);

        public void Update(Tensor output, Tensor label)
        {
            using var scope = NewDisposeScope();
            var target = label.to(ScalarType.Int64);
            var perImage = target.reshape(target.shape[0], -1);
            using Scalar background = 0, ignore = ignoreIndex;
            var hasPeople = perImage.gt(background).logical_and(perImage.ne(ignore)).any(1);
            var keep = hasPeople.nonzero().flatten();
            if (keep.numel() == 0) return;
            _matrix.Update(output.index_select(0, keep), target.index_select(0, keep));
        }

        public double Compute() => _matrix.Compute();
    }
}
