using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;
using MtlNotebooks.Training;

namespace MtlNotebooks.Analysis;

/// <summary>The multi-task performance Δm of a model m against a baseline b (survey eq. 10, ASTMT eq. 4):
/// Δm = (1/T) Σ_i (−1)^{l_i} (M_m,i − M_b,i) / M_b,i, in percent, with l_i = 1 when lower is better for task i's
/// metric. Positive means better than the baseline (the sign convention of survey Table V; ASTMT's tables print the
/// same quantity as a "drop", lower is better). Each task contributes its primary metric
/// (<see cref="MetricValue.IsPrimary"/>). A NaN model value (a diverged run) makes Δm NaN rather than throwing.</summary>
public static class DeltaM
{
    /// <summary>Name of the Δm column of <see cref="Table"/>.</summary>
    public const string DeltaMColumn = "Δm (%)";

    /// <summary>Names of the leading columns of <see cref="Table"/>.</summary>
    public const string ModelColumn = "model", ArchitectureColumn = "architecture", BalancerColumn = "balancer", ParametersColumn = "parameters";

    /// <summary>Names of the Δm columns of <see cref="SeedTable"/>: the mean and the sample standard deviation over seeds.</summary>
    public const string DeltaMMeanColumn = DeltaMColumn + " mean", DeltaMStdColumn = DeltaMColumn + " std";

    /// <summary>The column of <see cref="SeedTable"/> counting the seeds, and the first column of <see cref="PerSeedTable"/>.</summary>
    public const string SeedsColumn = "seeds", SeedColumn = "seed";

    /// <summary>Δm (percent) of <paramref name="model"/> against <paramref name="baseline"/> over each task's primary
    /// metric. Throws <see cref="ArgumentException"/> when the two records do not cover the same tasks with the same
    /// primary metric and direction, or when a baseline value is 0 or not finite.</summary>
    public static double Compute(EvaluationRecord baseline, EvaluationRecord model) => Compute(Pair(baseline, model));

    /// <summary>Δm (percent) from per-task (direction, baseline value, model value); survey eq. 10.</summary>
    public static double Compute(IReadOnlyList<(string Task, MetricDirection Direction, double Baseline, double Model)> metrics) =>
        PerTask(metrics).Average(t => t.Percent);

    /// <summary>Each task's signed relative difference (−1)^{l_i} (M_m,i − M_b,i) / M_b,i in percent (positive = better),
    /// in the baseline's task order; Δm is their mean.</summary>
    public static IReadOnlyList<(string Task, double Percent)> PerTask(EvaluationRecord baseline, EvaluationRecord model) =>
        PerTask(Pair(baseline, model));

    /// <inheritdoc cref="PerTask(EvaluationRecord, EvaluationRecord)"/>
    public static IReadOnlyList<(string Task, double Percent)> PerTask(
        IReadOnlyList<(string Task, MetricDirection Direction, double Baseline, double Model)> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (metrics.Count == 0)
            throw new ArgumentException("Δm needs at least one task.", nameof(metrics));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<(string Task, double Percent)>(metrics.Count);
        foreach (var (task, direction, baseline, model) in metrics)
        {
            if (!seen.Add(task))
                throw new ArgumentException($"Task '{task}' appears twice; Δm averages one metric per task.", nameof(metrics));
            // The division by M_b,i (eq. 10) needs a finite, non-zero baseline.
            if (baseline == 0 || !double.IsFinite(baseline))
                throw new ArgumentException(
                    $"Baseline value of task '{task}' is {baseline.ToString(CultureInfo.InvariantCulture)}; Δm divides by it and needs a finite, non-zero value.",
                    nameof(metrics));
            var sign = direction == MetricDirection.LowerIsBetter ? -1.0 : 1.0; // (−1)^{l_i}
            result.Add((task, sign * (model - baseline) / baseline * 100.0));
        }

        return result;
    }

    /// <summary>The primary metric of each task: (task, metric name, direction, value), in order of first appearance.</summary>
    public static IReadOnlyList<MetricValue> PrimaryMetrics(EvaluationRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var result = new List<MetricValue>();
        foreach (var task in record.Metrics.Select(m => m.Task).Distinct(StringComparer.Ordinal))
        {
            var primaries = record.Metrics.Where(m => m.Task == task && m.IsPrimary).ToList();
            if (primaries.Count != 1)
                throw new ArgumentException(
                    $"Task '{task}' has {primaries.Count} primary metrics ({string.Join(", ", primaries.Select(p => p.Metric))}); Δm needs exactly one.",
                    nameof(record));
            result.Add(primaries[0]);
        }

        return result;
    }

    /// <summary>Column name of a task's primary metric, e.g. "semseg mIoU ↑" or "depth RMSE ↓".</summary>
    public static string MetricColumnName(string task, string metric, MetricDirection direction) =>
        $"{task} {metric} {Arrow(direction)}";

    /// <summary>"↑" when higher is better, "↓" when lower is better.</summary>
    public static string Arrow(MetricDirection direction) => direction == MetricDirection.LowerIsBetter ? "↓" : "↑";

    /// <summary>The comparison table of survey Table V: one row per run (the baseline first, Δm = 0), columns
    /// "model", "architecture", "balancer", "parameters", one per task primary metric ("semseg mIoU ↑") and "Δm (%)".</summary>
    public static DataFrame Table(RunResult baseline, IEnumerable<RunResult> models)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(models);
        var runs = new List<RunResult> { baseline };
        runs.AddRange(models);
        var primaries = PrimaryMetrics(baseline.Final);

        var deltas = new List<double>(runs.Count);
        foreach (var run in runs)
        {
            try
            {
                deltas.Add(ReferenceEquals(run, baseline) ? 0.0 : Compute(baseline.Final, run.Final));
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Run '{run.Name}' vs baseline '{baseline.Name}': {e.Message}", nameof(models), e);
            }
        }

        var columns = new List<DataFrameColumn>
        {
            new StringDataFrameColumn(ModelColumn, runs.Select(r => r.Name)),
            new StringDataFrameColumn(ArchitectureColumn, runs.Select(r => r.Architecture)),
            new StringDataFrameColumn(BalancerColumn, runs.Select(r => r.Balancer)),
            new Int64DataFrameColumn(ParametersColumn, runs.Select(r => r.Parameters)),
        };
        foreach (var p in primaries)
            columns.Add(new DoubleDataFrameColumn(MetricColumnName(p.Task, p.Metric, p.Direction), runs.Select(r => r.Final.Get(p.Task, p.Metric))));
        columns.Add(new DoubleDataFrameColumn(DeltaMColumn, deltas));
        return new DataFrame(columns);
    }

    /// <summary>The comparison table over seeds: one row per configuration (the baselines first), columns "model",
    /// "architecture", "balancer", "parameters", then for each task's primary metric its mean and std over the seeds
    /// ("semseg mIoU ↑ mean", "semseg mIoU ↑ std"), "Δm (%) mean", "Δm (%) std" and "seeds". Δm is computed per seed
    /// against that seed's baselines, then averaged; it is not the Δm of the averaged metrics. std is the sample standard
    /// deviation (n − 1), NaN for a single seed (as pandas' <c>std()</c>): one seed says nothing about the spread.</summary>
    public static DataFrame SeedTable(SeededRuns runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var first = runs.Runs[0];
        var primaries = PrimaryMetrics(first[0].Final);
        var configurations = Enumerable.Range(0, runs.Configurations.Count).ToList();
        var deltas = configurations.Select(runs.DeltaMs).ToList();

        var columns = new List<DataFrameColumn>
        {
            new StringDataFrameColumn(ModelColumn, first.Select(r => r.Name)),
            new StringDataFrameColumn(ArchitectureColumn, first.Select(r => r.Architecture)),
            new StringDataFrameColumn(BalancerColumn, first.Select(r => r.Balancer)),
            new Int64DataFrameColumn(ParametersColumn, first.Select(r => r.Parameters)),
        };
        foreach (var p in primaries)
        {
            var stats = configurations.Select(c => MeanAndStd(runs.Runs.Select(seedRuns => seedRuns[c].Final.Get(p.Task, p.Metric)).ToList())).ToList();
            var name = MetricColumnName(p.Task, p.Metric, p.Direction);
            columns.Add(new DoubleDataFrameColumn(MeanColumnName(name), stats.Select(x => x.Mean)));
            columns.Add(new DoubleDataFrameColumn(StdColumnName(name), stats.Select(x => x.Std)));
        }
        var deltaStats = deltas.Select(MeanAndStd).ToList();
        columns.Add(new DoubleDataFrameColumn(DeltaMMeanColumn, deltaStats.Select(x => x.Mean)));
        columns.Add(new DoubleDataFrameColumn(DeltaMStdColumn, deltaStats.Select(x => x.Std)));
        columns.Add(new Int32DataFrameColumn(SeedsColumn, configurations.Select(_ => runs.Seeds.Count)));
        return new DataFrame(columns);
    }

    /// <summary>Every seed's <see cref="Table"/> one below the other, behind a "seed" column: the numbers the means and
    /// stds of <see cref="SeedTable"/> are taken over.</summary>
    public static DataFrame PerSeedTable(SeededRuns runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return SeededRuns.Stack(runs.Seeds, runs.Runs.Select(r => Table(r[0], r.Skip(1))).ToList());
    }

    /// <summary>The mean and the sample standard deviation (n − 1) of <paramref name="values"/>; the std of one value is NaN.</summary>
    public static (double Mean, double Std) MeanAndStd(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("The mean of no values is undefined.", nameof(values));
        var mean = values.Average();
        var std = values.Count == 1 ? double.NaN : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return (mean, std);
    }

    /// <summary>"semseg mIoU ↑ mean": the column of a seed table holding the mean of <paramref name="column"/>.</summary>
    public static string MeanColumnName(string column) => $"{column} mean";

    /// <summary>"semseg mIoU ↑ std": the column of a seed table holding the sample std of <paramref name="column"/>.</summary>
    public static string StdColumnName(string column) => $"{column} std";

    internal static double SeedDelta(int seed, RunResult baseline, RunResult run)
    {
        try
        {
            return Compute(baseline.Final, run.Final);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Seed {seed}, run '{run.Name}' vs baseline '{baseline.Name}': {e.Message}", nameof(run), e);
        }
    }

    /// <summary>The table as aligned plain text for a console: text left-aligned, numbers right-aligned, metrics to
    /// four significant digits (no more decimals than a value has), parameters with thousands separators, Δm with its sign ("+1.61").</summary>
    public static string ToText(DataFrame table) => ToText(table, long.MaxValue);

    /// <summary><see cref="ToText(DataFrame)"/> of the first <paramref name="maxRows"/> rows, saying how many there are.</summary>
    public static string ToText(DataFrame table, long maxRows)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);
        var columns = table.Columns.ToList();
        var shown = (int)Math.Min(table.Rows.Count, maxRows);
        var cells = columns.Select(c => TableCells.Format(c, shown)).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Name.Length, cells[i].Count == 0 ? 0 : cells[i].Max(s => s.Length))).ToList();
        var numeric = columns.Select(c => c.DataType != typeof(string)).ToList();

        string Pad(string text, int i) => numeric[i] ? text.PadLeft(widths[i]) : text.PadRight(widths[i]);

        var sb = new StringBuilder();
        sb.AppendLine(string.Join("  ", columns.Select((c, i) => Pad(c.Name, i))).TrimEnd());
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        for (var r = 0; r < shown; r++)
            sb.AppendLine(string.Join("  ", columns.Select((_, i) => Pad(cells[i][r], i))).TrimEnd());
        if (shown < table.Rows.Count)
            sb.AppendLine(CultureInfo.InvariantCulture, $"({shown} of {table.Rows.Count} rows shown)");
        return sb.ToString();
    }

    /// <summary>Pairs the primary metrics of two evaluations task by task, checking they describe the same tasks.</summary>
    private static List<(string Task, MetricDirection Direction, double Baseline, double Model)> Pair(EvaluationRecord baseline, EvaluationRecord model)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(model);
        var b = PrimaryMetrics(baseline);
        var m = PrimaryMetrics(model).ToDictionary(x => x.Task, StringComparer.Ordinal);
        var missing = b.Where(x => !m.ContainsKey(x.Task)).Select(x => x.Task).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"The model has no metrics for task(s) {Quote(missing)} that the baseline has.", nameof(model));
        var extra = m.Keys.Where(t => b.All(x => x.Task != t)).ToList();
        if (extra.Count > 0)
            throw new ArgumentException($"The model has task(s) {Quote(extra)} that the baseline lacks.", nameof(model));

        var pairs = new List<(string, MetricDirection, double, double)>(b.Count);
        foreach (var bm in b)
        {
            var mm = m[bm.Task];
            if (mm.Metric != bm.Metric)
                throw new ArgumentException(
                    $"Task '{bm.Task}': the baseline's primary metric is '{bm.Metric}' but the model's is '{mm.Metric}'.", nameof(model));
            if (mm.Direction != bm.Direction)
                throw new ArgumentException(
                    $"Task '{bm.Task}', metric '{bm.Metric}': direction {bm.Direction} in the baseline but {mm.Direction} in the model.", nameof(model));
            pairs.Add((bm.Task, bm.Direction, bm.Value, mm.Value));
        }

        return pairs;
    }

    private static string Quote(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}
