using TorchSharp;
using F = TorchSharp.torch.nn.functional;
using static TorchSharp.torch;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Tasks.Metrics;

internal sealed class ConfusionMatrix(int classes, int ignoreIndex, bool pixelAccuracy) : IMetricAccumulator
{
    private readonly long[] _counts = new long[classes * classes]; // [label, prediction]

    public void Update(Tensor output, Tensor label)
    {
        using var scope = NewDisposeScope();
        var prediction = output.argmax(1).flatten();
        var target = label.flatten().to(ScalarType.Int64);
        using Scalar ignore = ignoreIndex, zero = 0, classCount = classes;
        var valid = target.ne(ignore);
        var outOfRange = target.lt(zero).logical_or(target.ge(classCount)).logical_and(valid);
        if (outOfRange.any().item<bool>())
            throw new ArgumentException($"Label values must be in [0, {classes}) or {ignoreIndex} (ignore); found {target.masked_select(outOfRange)[0].item<long>()}.");
        var index = target.masked_select(valid).mul(classCount).add(prediction.masked_select(valid), One);
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
