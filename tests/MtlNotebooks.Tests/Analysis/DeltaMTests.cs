using MtlNotebooks.Analysis;
using MtlNotebooks.Training;

namespace MtlNotebooks.Tests.Analysis;

/// <summary>Records for the analysis tests: NYUD-v2-like (semseg mIoU ↑, depth RMSE ↓) and PASCAL-like evaluations.</summary>
internal static class AnalysisFixtures
{
    public const MetricDirection Up = MetricDirection.HigherIsBetter, Down = MetricDirection.LowerIsBetter;

    public static EvaluationRecord Eval(params (string Task, string Metric, MetricDirection Direction, double Value)[] primaries) =>
        new(10, 1000, primaries.Select(p => new MetricValue(p.Task, p.Metric, p.Direction, true, p.Value)).ToList());

    public static EvaluationRecord Nyud(double seg, double depth) => Eval(("semseg", "mIoU", Up, seg), ("depth", "RMSE", Down, depth));

    /// <summary>PASCAL as in survey Table V(b): seg, parts, sal (mIoU ↑), normals (mErr ↓), edge (odsF ↑).</summary>
    public static EvaluationRecord Pascal(double seg, double parts, double normals, double sal, double edge) => Eval(
        ("semseg", "mIoU", Up, seg), ("parts", "mIoU", Up, parts), ("normals", "mErr", Down, normals),
        ("sal", "mIoU", Up, sal), ("edge", "odsF", Up, edge));

    /// <summary>A run whose history has <paramref name="steps"/> steps of decreasing losses and three evaluations
    /// ending in <paramref name="final"/>.</summary>
    public static RunResult Run(string name, EvaluationRecord final, string architecture = "MTL baseline", string balancer = "uniform",
        long parameters = 1_234_567, int steps = 40)
    {
        var tasks = final.Metrics.Select(m => m.Task).Distinct().ToList();
        var stepRecords = Enumerable.Range(0, steps).Select(s => new StepRecord(
            s / 10, s, 0,
            tasks.Select((t, i) => (t, 1.0 / (1 + s) + 0.1 * i + 0.05 * (s % 3))).ToDictionary(x => x.t, x => x.Item2),
            tasks.ToDictionary(t => t, _ => 1.0), 1e-3)).ToList();
        var evaluations = new[] { 1, 2 }
            .Select(e => new EvaluationRecord(e, e * 10, final.Metrics.Select(m => m with { Value = m.Value * (0.8 + 0.1 * e) }).ToList()))
            .Append(final with { Epoch = 3 })
            .ToList();
        return new RunResult(name, architecture, balancer, new TrainingHistory(name, stepRecords, evaluations, TimeSpan.FromSeconds(5)), parameters);
    }
}

public sealed class DeltaMTests
{
    private static readonly EvaluationRecord NyudSingleTask = AnalysisFixtures.Nyud(43.9, 0.585);

    // Survey Table V(a), ResNet-50 on NYUD-v2 against the single-task models (43.9 mIoU, 0.585 rmse). The printed
    // per-task numbers are rounded to 3 digits, so Δm from them matches the printed Δm to about ±0.02.
    [Theory]
    [InlineData("MTL baseline", 44.4, 0.587, 0.41)]
    [InlineData("Cross-stitch", 44.2, 0.570, 1.61)]
    [InlineData("NDDR-CNN", 44.2, 0.573, 1.38)]
    [InlineData("MTAN", 45.0, 0.584, 1.32)]
    public void Compute_SurveyTableVa_MatchesPrintedDeltaM(string model, double seg, double depth, double printed)
    {
        var delta = DeltaM.Compute(NyudSingleTask, AnalysisFixtures.Nyud(seg, depth));

        Assert.True(Math.Abs(delta - printed) <= 0.02, $"{model}: Δm = {delta:F4}, survey prints {printed:+0.00;-0.00}");
    }

    // Survey Table V(b)/(d), ResNet-18 on PASCAL with five tasks (normals: lower is better).
    [Theory]
    [InlineData("MTL baseline (fixed)", 63.8, 58.6, 14.9, 65.1, 69.2, -2.86)]
    [InlineData("MTL baseline (uniform)", 65.5, 59.5, 15.8, 64.1, 67.9, -3.99)]
    public void Compute_SurveyTableVbPascal_MatchesPrintedDeltaM(string model, double seg, double parts, double normals, double sal, double edge, double printed)
    {
        var singleTask = AnalysisFixtures.Pascal(66.2, 59.9, 13.9, 66.3, 68.8);

        var delta = DeltaM.Compute(singleTask, AnalysisFixtures.Pascal(seg, parts, normals, sal, edge));

        Assert.True(Math.Abs(delta - printed) <= 0.02, $"{model}: Δm = {delta:F4}, survey prints {printed:+0.00;-0.00}");
    }

    [Fact]
    public void Compute_HandExample_IsMeanOfSignedRelativeDifferences()
    {
        // seg 50 → 55: +10 %; depth 2.0 → 2.5 is worse for a lower-is-better metric: −25 %. Δm = (10 − 25) / 2.
        var baseline = AnalysisFixtures.Nyud(50, 2.0);
        var model = AnalysisFixtures.Nyud(55, 2.5);

        Assert.Equal(-7.5, DeltaM.Compute(baseline, model), 12);
        var perTask = DeltaM.PerTask(baseline, model);
        Assert.Equal(["semseg", "depth"], perTask.Select(p => p.Task));
        Assert.Equal(10.0, perTask[0].Percent, 12);
        Assert.Equal(-25.0, perTask[1].Percent, 12);
    }

    [Fact]
    public void Compute_LowLevelOverload_AgreesAndLowerIsBetterFlipsTheSign()
    {
        var delta = DeltaM.Compute([("depth", MetricDirection.LowerIsBetter, 4.0, 3.0), ("semseg", MetricDirection.HigherIsBetter, 40.0, 30.0)]);

        Assert.Equal((25.0 - 25.0) / 2, delta, 12);
        Assert.Equal(0.0, DeltaM.Compute(NyudSingleTask, NyudSingleTask));
    }

    [Fact]
    public void Compute_IgnoresNonPrimaryMetrics()
    {
        var baseline = NyudSingleTask with { Metrics = [.. NyudSingleTask.Metrics, new MetricValue("semseg", "pixel acc", MetricDirection.HigherIsBetter, false, 70)] };
        var plain = AnalysisFixtures.Nyud(44.2, 0.570);
        var model = plain with { Metrics = [.. plain.Metrics, new MetricValue("semseg", "pixel acc", MetricDirection.HigherIsBetter, false, 10)] };

        Assert.Equal(DeltaM.Compute(NyudSingleTask, plain), DeltaM.Compute(baseline, model), 12);
    }

    [Fact]
    public void Compute_ModelMissingATask_ThrowsNamingTheTask()
    {
        var model = AnalysisFixtures.Eval(("semseg", "mIoU", AnalysisFixtures.Up, 44.0));

        var error = Assert.Throws<ArgumentException>(() => DeltaM.Compute(NyudSingleTask, model));
        Assert.Contains("'depth'", error.Message);
    }

    [Fact]
    public void Compute_ModelWithAnExtraTask_ThrowsNamingTheTask()
    {
        var model = AnalysisFixtures.Eval(("semseg", "mIoU", AnalysisFixtures.Up, 44), ("depth", "RMSE", AnalysisFixtures.Down, 0.5),
            ("normals", "mErr", AnalysisFixtures.Down, 20));

        var error = Assert.Throws<ArgumentException>(() => DeltaM.Compute(NyudSingleTask, model));
        Assert.Contains("'normals'", error.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(double.NaN)]
    public void Compute_ZeroOrNaNBaseline_ThrowsNamingTheTask(double baselineDepth)
    {
        var baseline = AnalysisFixtures.Nyud(43.9, baselineDepth);

        var error = Assert.Throws<ArgumentException>(() => DeltaM.Compute(baseline, AnalysisFixtures.Nyud(44, 0.5)));
        Assert.Contains("'depth'", error.Message);
    }

    [Fact]
    public void Compute_DirectionOrMetricMismatch_ThrowsNamingTaskAndMetric()
    {
        var flipped = AnalysisFixtures.Eval(("semseg", "mIoU", AnalysisFixtures.Up, 44), ("depth", "RMSE", AnalysisFixtures.Up, 0.5));
        var renamed = AnalysisFixtures.Eval(("semseg", "mIoU", AnalysisFixtures.Up, 44), ("depth", "abs rel", AnalysisFixtures.Down, 0.5));

        var direction = Assert.Throws<ArgumentException>(() => DeltaM.Compute(NyudSingleTask, flipped));
        var metric = Assert.Throws<ArgumentException>(() => DeltaM.Compute(NyudSingleTask, renamed));

        Assert.Contains("'depth'", direction.Message);
        Assert.Contains("'RMSE'", direction.Message);
        Assert.Contains("'abs rel'", metric.Message);
    }

    [Fact]
    public void Compute_NoTasks_Throws() =>
        Assert.Throws<ArgumentException>(() => DeltaM.Compute([]));

    [Fact]
    public void Table_HasDocumentedColumnsAndBaselineFirst()
    {
        var baseline = AnalysisFixtures.Run("single-task", NyudSingleTask, "single-task", "-", 80_000_000);
        var crossStitch = AnalysisFixtures.Run("cross-stitch", AnalysisFixtures.Nyud(44.2, 0.570), "cross-stitch", "fixed", 80_100_000);
        var mtan = AnalysisFixtures.Run("mtan", AnalysisFixtures.Nyud(45.0, 0.584), "MTAN", "DWA", 72_000_000);

        var table = DeltaM.Table(baseline, [crossStitch, mtan]);

        Assert.Equal(
            ["model", "architecture", "balancer", "parameters", "semseg mIoU ↑", "depth RMSE ↓", "Δm (%)"],
            table.Columns.Select(c => c.Name));
        Assert.Equal(3, table.Rows.Count);
        Assert.Equal(["single-task", "cross-stitch", "mtan"], Enumerable.Range(0, 3).Select(r => (string)table.Columns["model"][r]));
        Assert.Equal("DWA", table.Columns["balancer"][2]);
        Assert.Equal(80_100_000L, table.Columns["parameters"][1]);
        Assert.Equal(0.585, (double)table.Columns["depth RMSE ↓"][0]);
        Assert.Equal(45.0, (double)table.Columns["semseg mIoU ↑"][2]);
        Assert.Equal(0.0, (double)table.Columns["Δm (%)"][0]);
        Assert.Equal(DeltaM.Compute(NyudSingleTask, crossStitch.Final), (double)table.Columns["Δm (%)"][1], 12);
        Assert.Equal(DeltaM.Compute(NyudSingleTask, mtan.Final), (double)table.Columns["Δm (%)"][2], 12);
    }

    [Fact]
    public void Table_RunWithDifferentTasks_ThrowsNamingRunAndTask()
    {
        var baseline = AnalysisFixtures.Run("single-task", NyudSingleTask);
        var segOnly = AnalysisFixtures.Run("seg-only", AnalysisFixtures.Eval(("semseg", "mIoU", AnalysisFixtures.Up, 40)));

        var error = Assert.Throws<ArgumentException>(() => DeltaM.Table(baseline, [segOnly]));
        Assert.Contains("seg-only", error.Message);
        Assert.Contains("'depth'", error.Message);
    }

    [Fact]
    public void ToText_IsAlignedAndShowsSignedDeltaM()
    {
        var table = DeltaM.Table(
            AnalysisFixtures.Run("single-task", AnalysisFixtures.Nyud(50, 2.0)),
            [AnalysisFixtures.Run("worse", AnalysisFixtures.Nyud(55, 2.5)), AnalysisFixtures.Run("cross-stitch", AnalysisFixtures.Nyud(50, 1.9))]);

        var text = DeltaM.ToText(table);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();

        Assert.Equal(5, lines.Count); // header, rule, three rows
        Assert.All(lines, l => Assert.Equal(lines[0].Length, l.Length)); // last column right-aligned
        Assert.StartsWith("model", lines[0]);
        Assert.EndsWith("Δm (%)", lines[0]);
        Assert.EndsWith("+0.00", lines[2]);
        Assert.EndsWith("-7.50", lines[3]);
        Assert.EndsWith("+2.50", lines[4]); // depth 2.0 → 1.9 is 5 % better, seg unchanged
        Assert.Contains("1,234,567", lines[2]);
        // Four significant digits, no more decimals than the values have: mIoU 50; RMSE 2 and 1.9.
        Assert.Contains(" 50  ", lines[2]);
        Assert.Contains(" 2  ", lines[2]);
        Assert.Contains(" 1.9  ", lines[4]);
    }
}
