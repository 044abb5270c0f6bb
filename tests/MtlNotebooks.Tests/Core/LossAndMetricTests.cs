using MtlNotebooks.Tasks.Losses;
using MtlNotebooks.Tasks.Metrics;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Core;

[Collection("Torch")]
public sealed class LossAndMetricTests
{
    [Fact]
    public void CrossEntropy_OneValidPixel_EqualsHandComputed()
    {
        // pixel 0: logits (0, ln 3) → p(class 1) = 3/4; pixel 1 is ignored.
        using var output = tensor(new float[] { 0, 0, MathF.Log(3), 0 }).reshape(1, 2, 1, 2);
        using var label = tensor(new long[] { 1, 255 }).reshape(1, 1, 2);
        using var loss = new CrossEntropyLoss().Compute(output, label);
        Assert.Equal(-Math.Log(0.75), loss.item<float>(), 5);
    }

    [Fact]
    public void CrossEntropy_AllIgnored_IsZeroAndDifferentiable()
    {
        using var output = randn(1, 3, 2, 2).requires_grad_();
        using var label = full(new long[] { 1, 2, 2 }, 255L, ScalarType.Int64);
        using var loss = new CrossEntropyLoss().Compute(output, label);
        Assert.Equal(0f, loss.item<float>());
        loss.backward();
        Assert.NotNull(output.grad);
    }

    [Fact]
    public void MaskedL1_SkipsInvalidPixels()
    {
        using var output = tensor(new float[] { 1, 2, 5 }).reshape(1, 1, 1, 3);
        using var label = tensor(new float[] { 2, 0, 3 }).reshape(1, 1, 1, 3);
        Assert.Equal(1.5f, new MaskedL1Loss().Compute(output, label).item<float>(), 6);
    }

    [Fact]
    public void NormalsL1_NormalisesPredictionAndSkipsZeroLabels()
    {
        // (0,0,2) → (0,0,1) vs (0,0,1): 0; (3,4,0) → (0.6,0.8,0) vs (1,0,0): 0.4 + 0.8; third pixel has no label.
        using var output = tensor(new float[] { 0, 3, 7, 0, 4, 7, 2, 0, 7 }).reshape(1, 3, 1, 3);
        using var label = tensor(new float[] { 0, 1, 0, 0, 0, 0, 1, 0, 0 }).reshape(1, 3, 1, 3);
        Assert.Equal(1.2f / 6f, new NormalsL1Loss().Compute(output, label).item<float>(), 5);
    }

    private static Tensor OneHotLogits(long[] predictions, int classes) =>
        nn.functional.one_hot(tensor(predictions), classes).to(ScalarType.Float32).t().reshape(1, classes, 1, predictions.Length);

    [Fact]
    public void MeanIoU_WorkedExample_AbsentClassLeftOut()
    {
        // labels 0 0 1 1 2 255, predictions 0 1 1 1 0 2 → IoU 1/3, 2/3, 0; class 3 absent everywhere.
        using var output = OneHotLogits([0, 1, 1, 1, 0, 2], 4);
        using var label = tensor(new long[] { 0, 0, 1, 1, 2, 255 }).reshape(1, 1, 6);
        var iou = new MeanIoU(4).CreateAccumulator();
        iou.Update(output, label);
        Assert.Equal(100.0 / 3, iou.Compute(), 9);
        var accuracy = new PixelAccuracy(4).CreateAccumulator();
        accuracy.Update(output, label);
        Assert.Equal(60.0, accuracy.Compute(), 9);
    }

    [Fact]
    public void MeanIoU_PerfectPrediction_Is100_AndAccumulatesOverBatches()
    {
        var iou = new MeanIoU(3).CreateAccumulator();
        using var a = OneHotLogits([0, 1], 3);
        using var b = OneHotLogits([2, 2], 3);
        iou.Update(a, tensor(new long[] { 0, 1 }).reshape(1, 1, 2));
        iou.Update(b, tensor(new long[] { 2, 2 }).reshape(1, 1, 2));
        Assert.Equal(100.0, iou.Compute(), 9);
    }

    [Fact]
    public void MeanIoU_OnlyIgnoredPixels_IsNaN()
    {
        var iou = new MeanIoU(2).CreateAccumulator();
        iou.Update(OneHotLogits([0, 1], 2), tensor(new long[] { 255, 255 }).reshape(1, 1, 2));
        Assert.True(double.IsNaN(iou.Compute()));
    }

    [Fact]
    public void MeanIoU_LabelOutOfRange_ThrowsNamingTheValue()
    {
        var iou = new MeanIoU(3).CreateAccumulator();
        var error = Assert.Throws<ArgumentException>(() => iou.Update(OneHotLogits([0, 1], 3), tensor(new long[] { 0, 7 }).reshape(1, 1, 2)));
        Assert.Contains("found 7", error.Message);
    }

    [Fact]
    public void Rmse_OverValidPixels()
    {
        var rmse = new Rmse().CreateAccumulator();
        rmse.Update(tensor(new float[] { 1, 2, 3 }).reshape(1, 1, 1, 3), tensor(new float[] { 1, 0, 5 }).reshape(1, 1, 1, 3));
        Assert.Equal(Math.Sqrt(2), rmse.Compute(), 6);
    }

    [Fact]
    public void MeanAngularError_WorkedExample()
    {
        // (1,0,0) vs (0,1,0): 90°; (1,1,0) vs (1,0,0): 45°; third pixel unlabelled.
        var error = new MeanAngularError().CreateAccumulator();
        error.Update(
            tensor(new float[] { 1, 1, 1, 0, 1, 1, 0, 0, 1 }).reshape(1, 3, 1, 3),
            tensor(new float[] { 0, 1, 0, 1, 0, 0, 0, 0, 0 }).reshape(1, 3, 1, 3));
        Assert.Equal(67.5, error.Compute(), 4);
    }
}
