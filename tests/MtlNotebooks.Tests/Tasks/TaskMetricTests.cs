using MtlNotebooks.Data;
using MtlNotebooks.Tasks;
using MtlNotebooks.Tasks.Losses;
using MtlNotebooks.Tasks.Metrics;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Tasks;

[Collection("Torch")]
public sealed class TaskMetricTests
{
    private static double Evaluate(ITaskMetric metric, Tensor output, Tensor label)
    {
        var accumulator = metric.CreateAccumulator();
        accumulator.Update(output, label);
        return accumulator.Compute();
    }

    private static Tensor Map(params float[] values) => tensor(values).reshape(1, 1, 1, values.Length);

    [Fact]
    public void DepthErrors_WorkedExample_EqualHandComputed()
    {
        // Valid pixels: (3 vs 2) and (4 vs 4); the middle pixel has no depth. Ratio 1.5 passes δ<1.25² but not δ<1.25.
        using var output = Map(3, 2, 4);
        using var label = Map(2, 0, 4);
        Assert.Equal(Math.Sqrt(0.5), Evaluate(new Rmse(), output, label), 6);
        Assert.Equal(Math.Log(1.5) / Math.Sqrt(2), Evaluate(new DepthError(DepthStatistic.LogRmse), output, label), 6);
        Assert.Equal(0.25, Evaluate(new DepthError(DepthStatistic.AbsRel), output, label), 6);
        Assert.Equal(50.0, Evaluate(new DepthError(DepthStatistic.Delta1), output, label), 6);
        Assert.Equal(100.0, Evaluate(new DepthError(DepthStatistic.Delta2), output, label), 6);
        Assert.Equal(100.0, Evaluate(new DepthError(DepthStatistic.Delta3), output, label), 6);
    }

    [Fact]
    public void DepthErrors_PerfectAndAllInvalid_ZeroAndNaN()
    {
        using var perfect = Map(1, 2, 3);
        Assert.Equal(0.0, Evaluate(new DepthError(DepthStatistic.LogRmse), perfect, perfect), 9);
        Assert.Equal(100.0, Evaluate(new DepthError(DepthStatistic.Delta1), perfect, perfect), 9);
        using var invalid = Map(0, 0, 0);
        Assert.True(double.IsNaN(Evaluate(new DepthError(DepthStatistic.AbsRel), perfect, invalid)));
    }

    [Fact]
    public void Depth_Metrics_RmsePrimaryThenTheOthers()
    {
        var names = DenseTasks.Depth().Metrics.Select(m => m.Name).ToArray();
        Assert.Equal(["RMSE", "log RMSE", "abs rel", "δ<1.25", "δ<1.25²", "δ<1.25³"], names);
        Assert.Equal(["mean angle (deg)", "median angle (deg)", "< 11.25°", "< 22.5°", "< 30°"], DenseTasks.SurfaceNormals().Metrics.Select(m => m.Name).ToArray());
    }

    [Fact]
    public void NormalsMetrics_AnglesOf0To90Degrees_MedianAndWithin()
    {
        // Predictions at 0°, 10°, 20°, 45°, 90° from the label (1, 0, 0); a sixth pixel has no label.
        double[] degrees = [0, 10, 20, 45, 90, 30];
        var x = degrees.Select(d => (float)Math.Cos(d * Math.PI / 180)).ToArray();
        var y = degrees.Select(d => (float)Math.Sin(d * Math.PI / 180)).ToArray();
        using var output = tensor(x.Concat(y).Concat(new float[6]).ToArray()).reshape(1, 3, 1, 6);
        using var label = tensor(new float[] { 1, 1, 1, 1, 1, 0 }.Concat(new float[12]).ToArray()).reshape(1, 3, 1, 6);
        Assert.Equal(33.0, Evaluate(new MeanAngularError(), output, label), 3);
        Assert.InRange(Evaluate(new MedianAngularError(), output, label), 19.998, 20.002);
        Assert.Equal(40.0, Evaluate(new AngleWithin(11.25), output, label), 9);
        Assert.Equal(60.0, Evaluate(new AngleWithin(22.5), output, label), 9);
        Assert.Equal(60.0, Evaluate(new AngleWithin(30), output, label), 9);
    }

    [Fact]
    public void SaliencyScores_EmptyImageCountsAsIoU1AndPrecision0_AsTheReferences()
    {
        // Image A: label 1 1 0 0, prediction 1 0 0 1 → IoU 1/3, P 1/2, R 1/2. Image B: nothing labelled or predicted →
        // IoU 1 but P = R = 0 (tp / (tp + fp + 1e-12)). Logits ±20 make every threshold agree.
        using var output = tensor(new float[] { 20, -20, -20, 20, -20, -20, -20, -20 }).reshape(2, 1, 1, 4);
        using var label = tensor(new float[] { 1, 1, 0, 0, 0, 0, 0, 0 }).reshape(2, 1, 1, 4);
        Assert.Equal(100.0 * 2 / 3, Evaluate(new SaliencyScore(SaliencyStatistic.MaxMeanIoU), output, label), 6);
        Assert.Equal(25.0, Evaluate(new SaliencyScore(SaliencyStatistic.MaxF), output, label), 6);
    }

    [Fact]
    public void SaliencyScores_BestThresholdWins_PerfectAtLowThresholds()
    {
        // σ(0) = 0.5: predicted at thresholds 0.2..0.45 (perfect), not above 0.5 (IoU 0).
        using var output = tensor(new float[] { 0, -20 }).reshape(1, 1, 1, 2);
        using var label = tensor(new float[] { 1, 0 }).reshape(1, 1, 1, 2);
        var accumulator = new SaliencyAccumulator();
        accumulator.Update(output, label);
        Assert.Equal(100.0, accumulator.Compute(), 6);
        Assert.Equal(0.0, accumulator.Curve().Single(c => Math.Abs(c.Threshold - 0.6) < 1e-9).MeanIoU, 9);
        Assert.Equal(15, SaliencyScore.Thresholds.Count);
        Assert.Equal(0.9, SaliencyScore.Thresholds[^1], 12);
    }

    [Fact]
    public void PartsMeanIoU_ImageWithoutPeople_IsSkipped()
    {
        // Image 1: only background, predicted as part 1 everywhere (would add false positives) → skipped.
        // Image 2: label 0 1 1 2, prediction 0 1 2 2 → IoU 1, 1/2, 1/2.
        using var output = nn.functional.one_hot(tensor(new long[] { 1, 1, 1, 1, 0, 1, 2, 2 }), 3).to(ScalarType.Float32)
            .reshape(2, 1, 4, 3).permute(0, 3, 1, 2);
        using var label = tensor(new long[] { 0, 0, 0, 0, 0, 1, 1, 2 }).reshape(2, 1, 4);
        Assert.Equal(100.0 * 2 / 3, Evaluate(new PartsMeanIoU(3), output, label), 9);
        using var background = zeros(new long[] { 1, 1, 4 }, ScalarType.Int64);
        Assert.True(double.IsNaN(Evaluate(new PartsMeanIoU(3), output.narrow(0, 0, 1), background)));
    }

    /// <summary>10×10 image, label edge = column 4; predictions on column 5 (one pixel off): rows 0-4 at 0.95, rows 5-9
    /// at 0.35, plus a stray pixel at (0, 9) with 0.85. Tolerance 1.5 px (diagonal neighbours included).</summary>
    private static (Tensor Logits, Tensor Label) WorkedEdgeExample()
    {
        var p = new float[100];
        var y = new float[100];
        for (int r = 0; r < 10; r++)
        {
            y[r * 10 + 4] = 1;
            p[r * 10 + 5] = r < 5 ? 0.95f : 0.35f;
        }
        p[9] = 0.85f;
        var probabilities = tensor(p).reshape(1, 1, 10, 10).clamp(1e-6, 1 - 1e-6);
        return ((probabilities / (1 - probabilities)).log(), tensor(y).reshape(1, 1, 10, 10));
    }

    [Fact]
    public void OdsF_WorkedExample_BestThresholdKeepsTheWeakHalf()
    {
        // t ≤ 0.35: 11 predictions, 10 near a label edge; all 10 label pixels recalled → F = 2·(10/11)·1 / (10/11 + 1) = 20/21.
        // 0.35 < t ≤ 0.85: 6 predictions, 5 matched; label rows 0-5 recalled (row 5 via the diagonal) → P 5/6, R 0.6.
        // 0.85 < t ≤ 0.95: P 1, R 0.6 → F 0.75.
        var (logits, label) = WorkedEdgeExample();
        double maxDistance = 1.5 / Math.Sqrt(200);
        var accumulator = new BoundaryAccumulator(maxDistance);
        accumulator.Update(logits, label);
        Assert.Equal(100.0 * 20 / 21, accumulator.Compute(), 4);
        var mid = accumulator.Curve().Single(c => Math.Abs(c.Threshold - 0.5) < 1e-9);
        Assert.Equal(5.0 / 6, mid.Precision, 9);
        Assert.Equal(0.6, mid.Recall, 9);
        var high = accumulator.Curve().Single(c => Math.Abs(c.Threshold - 0.9) < 1e-9);
        Assert.Equal(0.75, high.F, 9);
        // Same through the task's metric record.
        Assert.Equal(100.0 * 20 / 21, Evaluate(new OdsF(maxDistance), logits, label), 4);
    }

    [Fact]
    public void OdsF_ZeroTolerance_OffByOnePixelMatchesNothing()
    {
        var (logits, label) = WorkedEdgeExample();
        Assert.Equal(0.0, Evaluate(new OdsF(0), logits, label), 9);
    }

    [Fact]
    public void OdsF_PerfectPredictionAndIgnoredPixels_Is100()
    {
        using var label = tensor(new float[] { 0, 1, 0, 255, 1, 0 }).reshape(1, 1, 2, 3);
        // The ignored pixel is predicted as an edge; it must not count as a false positive.
        using var logits = tensor(new float[] { -20, 20, -20, 20, 20, -20 }).reshape(1, 1, 2, 3);
        Assert.Equal(100.0, Evaluate(new OdsF(0), logits, label), 9);
    }

    [Fact]
    public void BinaryCrossEntropy_Weightings_EqualHandComputed()
    {
        // Logits 0: every pixel's BCE is ln 2. Labels 1 1 0 255 (one ignored).
        using var output = zeros(1, 1, 1, 4);
        using var label = tensor(new float[] { 1, 1, 0, 255 }).reshape(1, 1, 1, 4);
        Assert.Equal(Math.Log(2), new BinaryCrossEntropyLoss().Compute(output, label).item<float>(), 5);
        Assert.Equal(1.95 * Math.Log(2) / 3, DenseTasks.Edges().Loss.Compute(output, label).item<float>(), 5);
        // Balanced: w = negatives / labelled = 1/3 → positives 1/3, negatives 2/3: (2·1/3 + 2/3)·ln 2 / 3.
        Assert.Equal(4.0 / 9 * Math.Log(2), DenseTasks.Saliency().Loss.Compute(output, label).item<float>(), 5);
        Assert.Equal(Math.Log(2), DenseTasks.Saliency(balanced: false).Loss.Compute(output, label).item<float>(), 5);
    }

    [Fact]
    public void BinaryCrossEntropy_AllIgnored_IsZeroAndDifferentiable()
    {
        using var output = randn(1, 1, 2, 2).requires_grad_();
        using var label = full(new long[] { 1, 1, 2, 2 }, 255f);
        using var loss = DenseTasks.Edges().Loss.Compute(output, label);
        Assert.Equal(0f, loss.item<float>());
        loss.backward();
        Assert.NotNull(output.grad);
    }

    [Fact]
    public void NewTasks_PrimaryMetricsAndDirections_FollowThePapers()
    {
        Assert.Equal("mIoU", ((IDenseTask)DenseTasks.HumanParts()).PrimaryMetric.Name);
        Assert.Equal(7, DenseTasks.HumanParts().OutputChannels);
        Assert.Equal(["mIoU", "maxF"], DenseTasks.Saliency().Metrics.Select(m => m.Name).ToArray());
        Assert.Equal("odsF", ((IDenseTask)DenseTasks.Edges()).PrimaryMetric.Name);
        Assert.All(new IDenseTask[] { DenseTasks.HumanParts(), DenseTasks.Saliency(), DenseTasks.Edges() },
            t => Assert.Equal(MetricDirection.HigherIsBetter, t.PrimaryMetric.Direction));
        Assert.NotEmpty(((IDenseTask)DenseTasks.Edges(positiveWeight: 1.5)).Validate());
    }

    [Fact]
    public void DataSetPresets_LossWeights_AreThePapersAndWorkWithFixed()
    {
        Assert.Equal([("semseg", 1.0), ("depth", 1.0), ("normals", 10.0), ("edge", 50.0)], DataSetPresets.Nyud.LossWeights);
        var pascal = Balancers.FixedWeights(DataSetPresets.Pascal.LossWeights);
        Assert.Equal(2.0, pascal.Weights["human_parts"]);
        Assert.Equal(5.0, pascal.Weights["sal"]);
        Assert.Equal(DataSetPresets.Pascal.TaskNames, DataSetPresets.SyntheticPascal.TaskNames);
        Assert.Equal(DataSetPresets.Nyud.TaskNames, DataSetPresets.SyntheticNyud.TaskNames);
        Assert.Throws<ArgumentException>(() => DataSetPresets.Get("kitti"));
    }

    [Fact]
    public void TaskPictures_EveryPascalTask_DrawsLabelAndPrediction()
    {
        foreach (var task in DataSetPresets.SyntheticPascal.Tasks.Append(DenseTasks.Depth()))
        {
            using var output = randn(task.OutputChannels, 4, 5);
            using var label = task is SemanticSegmentation or HumanParts ? zeros(new long[] { 4, 5 }, ScalarType.Int64)
                : task.OutputChannels == 3 ? ones(3, 4, 5) / Math.Sqrt(3) : ones(1, 4, 5);
            Assert.Equal((4, 5, 4 * 5 * 3), Shape(TaskPictures.Label(task, label)));
            Assert.Equal((4, 5, 4 * 5 * 3), Shape(TaskPictures.Prediction(task, output)));
        }
    }

    private static (int, int, int) Shape(RgbImage picture) => (picture.Height, picture.Width, picture.Pixels.Length);
}
