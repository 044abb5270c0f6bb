using Microsoft.Data.Analysis;
using Microsoft.FSharp.Core;
using MtlNotebooks.Training;
using Plotly.NET;
using Plotly.NET.CSharp;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace MtlNotebooks.Analysis;

/// <summary>Plotly.NET charts of training runs. They carry no plotly.js reference of their own: embed them with
/// <see cref="HtmlReport"/> (which inlines plotly.js once) or display them in a notebook.</summary>
public static class Charts
{
    // Plotly's default colorway, assigned per run so a run keeps its colour across subplots.
    private static readonly string[] Palette =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    private const string Better = "#2ca02c", Worse = "#d62728";

    /// <summary>Per-task training loss (unweighted, <see cref="StepRecord.TaskLosses"/>) against the step: one subplot
    /// per task, one line per run, smoothed by a trailing moving average of <paramref name="smoothingWindow"/> steps
    /// (default: about 1/20 of the steps, at most 50). Non-finite losses are left out.</summary>
    public static GenericChart TrainingCurves(IEnumerable<TrainingHistory> runs, int? smoothingWindow = null)
    {
        var list = NonEmpty(runs, nameof(runs));
        if (smoothingWindow is < 1)
            throw new ArgumentOutOfRangeException(nameof(smoothingWindow), smoothingWindow, "The moving-average window must be at least 1.");
        var tasks = list.SelectMany(h => h.Steps.SelectMany(s => s.TaskLosses.Keys)).Distinct(StringComparer.Ordinal).ToList();
        if (tasks.Count == 0)
            throw new ArgumentException("The runs have no recorded task losses.", nameof(runs));

        var windows = new HashSet<int>();
        var subplots = tasks.Select((task, t) =>
        {
            var lines = list.Select((history, r) =>
            {
                var points = history.Steps
                    .Select(s => (s.Step, Loss: s.TaskLosses.TryGetValue(task, out var v) ? v : double.NaN))
                    .Where(p => double.IsFinite(p.Loss))
                    .ToList();
                var window = smoothingWindow ?? AutoWindow(points.Count);
                windows.Add(window);
                var smoothed = MovingAverage(points.Select(p => p.Loss).ToList(), window);
                return RunLine(points.Select(p => p.Step), smoothed, history.RunName, r, showLegend: t == 0, showMarkers: false);
            });
            return CSharpChart.Combine(lines)
                .WithXAxisStyle<double, double, string>(TitleText: "step")
                .WithYAxisStyle<double, double, string>(TitleText: $"{task} loss");
        }).ToList();

        var smoothing = windows.Count == 1 && windows.Single() == 1
            ? "unsmoothed"
            : $"moving average over {string.Join("/", windows.Order())} steps";
        return Grid(subplots, tasks, $"Training loss per task ({smoothing})");
    }

    /// <summary>Each task's primary metric against the epoch, from every evaluation of each run: one subplot per
    /// task, one line per run; the axis title says whether higher (↑) or lower (↓) is better.</summary>
    public static GenericChart ValidationCurves(IEnumerable<TrainingHistory> runs)
    {
        var list = NonEmpty(runs, nameof(runs));
        var tasks = PrimaryMetricsOf(list.SelectMany(h => h.Evaluations));
        if (tasks.Count == 0)
            throw new ArgumentException("The runs have no evaluations.", nameof(runs));

        var subplots = tasks.Select((primary, t) =>
        {
            var lines = list.Select((history, r) =>
            {
                var points = history.Evaluations
                    .SelectMany(e => e.Metrics.Where(m => m.Task == primary.Task && m.IsPrimary).Select(m => (e.Epoch, m.Value)))
                    .ToList();
                return RunLine(points.Select(p => (double)p.Epoch), points.Select(p => p.Value), history.RunName, r, showLegend: t == 0, showMarkers: true);
            });
            return CSharpChart.Combine(lines)
                .WithXAxisStyle<double, double, string>(TitleText: "epoch")
                .WithYAxisStyle<double, double, string>(TitleText: DeltaM.MetricColumnName(primary.Task, primary.Metric, primary.Direction));
        }).ToList();
        return Grid(subplots, tasks.Select(p => p.Task).ToList(), "Validation: primary metric per task");
    }

    /// <summary>The final primary metric of each task as columns, one subplot per task (their scales differ), one
    /// column per run in the run's colour; axis titles carry ↑/↓.</summary>
    public static GenericChart MetricComparison(IEnumerable<RunResult> runs)
    {
        var list = NonEmpty(runs, nameof(runs));
        var finals = list.Select(r => r.Final).ToList();
        var tasks = PrimaryMetricsOf(finals);
        if (tasks.Count == 0)
            throw new ArgumentException("The runs' final evaluations have no metrics.", nameof(runs));

        var subplots = tasks.Select(primary =>
        {
            var bars = list
                .Select((run, r) => (run, r, metric: run.Final.Metrics.FirstOrDefault(m => m.Task == primary.Task && m.IsPrimary)))
                .Where(x => x.metric is not null)
                .ToList();
            return CSharpChart.Column<double, string, string>(
                    bars.Select(b => b.metric!.Value),
                    Keys: bars.Select(b => b.run.Name).ToList(),
                    MarkerColor: Color.fromColors(bars.Select(b => RunColor(b.r))),
                    MultiText: bars.Select(b => TableCells.Number(b.metric!.Value)).ToList(),
                    ShowLegend: false)
                .WithXAxisStyle<double, double, string>(TitleText: "run")
                .WithYAxisStyle<double, double, string>(TitleText: DeltaM.MetricColumnName(primary.Task, primary.Metric, primary.Direction));
        }).ToList();
        return Grid(subplots, tasks.Select(p => p.Task).ToList(), "Final primary metric per task");
    }

    /// <summary>Δm per model from a <see cref="DeltaM.Table"/> ("model" and "Δm (%)" columns), green when better
    /// than the baseline (the first row), red when worse. From a <see cref="DeltaM.SeedTable"/> ("Δm (%) mean" and
    /// "Δm (%) std") each bar is the mean over the seeds with an error bar of ± one std (none where the std is NaN,
    /// i.e. a single seed), labelled "+1.25 ± 0.40".</summary>
    public static GenericChart DeltaMBars(DataFrame deltaMTable)
    {
        ArgumentNullException.ThrowIfNull(deltaMTable);
        var names = deltaMTable.Columns.Select(c => c.Name).ToHashSet();
        bool seeded = names.Contains(DeltaM.DeltaMMeanColumn) && names.Contains(DeltaM.DeltaMStdColumn);
        foreach (var required in seeded ? new[] { DeltaM.ModelColumn } : [DeltaM.ModelColumn, DeltaM.DeltaMColumn])
        {
            if (!names.Contains(required))
                throw new ArgumentException($"The table has no '{required}' column (columns: {string.Join(", ", names)}).", nameof(deltaMTable));
        }

        double Value(string column, int row) =>
            Convert.ToDouble(deltaMTable.Columns[column][row] ?? double.NaN, System.Globalization.CultureInfo.InvariantCulture);
        var models = deltaMTable.Columns[DeltaM.ModelColumn];
        var rows = Enumerable.Range(0, (int)deltaMTable.Rows.Count)
            .Select(r => (Model: models[r]?.ToString() ?? "", Delta: Value(seeded ? DeltaM.DeltaMMeanColumn : DeltaM.DeltaMColumn, r),
                Std: seeded ? Value(DeltaM.DeltaMStdColumn, r) : double.NaN))
            .ToList();
        if (rows.Count == 0)
            throw new ArgumentException("The table has no rows.", nameof(deltaMTable));

        var chart = CSharpChart.Column<double, string, string>(
                rows.Select(r => r.Delta),
                Keys: rows.Select(r => r.Model).ToList(),
                MarkerColor: Color.fromColors(rows.Select(r => Color.fromHex(r.Delta < 0 ? Worse : Better))),
                MultiText: rows.Select(r => TableCells.Signed(r.Delta) + (double.IsFinite(r.Std) ? $" ± {r.Std.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}" : "")).ToList(),
                ShowLegend: false)
            .WithXAxisStyle<double, double, string>(TitleText: "model")
            .WithYAxisStyle<double, double, string>(TitleText: seeded ? $"{DeltaM.DeltaMMeanColumn} ↑" : $"{DeltaM.DeltaMColumn} ↑", ZeroLine: true)
            .WithSize(Math.Clamp(200 + 100 * rows.Count, 750, 1300), 450);
        if (!seeded)
            return WithTitle(chart, $"Multi-task performance Δm vs '{rows[0].Model}' (higher is better)");
        var seeds = names.Contains(DeltaM.SeedsColumn) ? $" over {Value(DeltaM.SeedsColumn, 0)} seeds" : " over the seeds";
        return WithTitle(WithYErrors(chart, rows.Select(r => r.Std)),
            $"Multi-task performance Δm vs '{rows[0].Model}', mean ± std{seeds} (higher is better)");
    }

    /// <summary><paramref name="chart"/> with symmetric y error bars of <paramref name="std"/> (none where NaN).</summary>
    internal static GenericChart WithYErrors(GenericChart chart, IEnumerable<double> std)
    {
        // Error.init's F# optional arguments cannot be left out from C#: every one is passed, unset ones as None.
        var errors = Plotly.NET.TraceObjects.Error.init<double, double>(
            Visible: true, Type: StyleParam.ErrorType.Data, Symmetric: true,
            Array: std.Select(s => double.IsFinite(s) ? s : 0.0).ToArray(),
            Arrayminus: FSharpOption<IEnumerable<double>>.None, ArrayEncoded: FSharpOption<EncodedTypedArray>.None,
            ArrayminusEncoded: FSharpOption<EncodedTypedArray>.None, Value: FSharpOption<double>.None, Valueminus: FSharpOption<double>.None,
            Traceref: FSharpOption<int>.None, Tracerefminus: FSharpOption<int>.None, Copy_ystyle: FSharpOption<bool>.None,
            Color: FSharpOption<Color>.None, Thickness: FSharpOption<double>.None, Width: FSharpOption<double>.None);
        return Plotly.NET.Chart.withYError(errors).Invoke(chart);
    }

    /// <summary>The loss balancer over training: each task's weight (<see cref="StepRecord.Weights"/>) against the step and,
    /// when the balancer computed them (gradient-based methods, GradNorm), the norm of the task's gradient
    /// (<see cref="StepRecord.GradientNorms"/>) beside it; one row per task, one line per run, smoothed by a trailing
    /// moving average of <paramref name="smoothingWindow"/> steps (default 1: unsmoothed; random weighting is noisy).</summary>
    public static GenericChart BalancerWeights(IEnumerable<TrainingHistory> runs, int smoothingWindow = 1)
    {
        var list = NonEmpty(runs, nameof(runs));
        ArgumentOutOfRangeException.ThrowIfLessThan(smoothingWindow, 1);
        var tasks = list.SelectMany(h => h.Steps.SelectMany(s => s.Weights.Keys)).Distinct(StringComparer.Ordinal).ToList();
        if (tasks.Count == 0)
            throw new ArgumentException("The runs have no recorded loss weights.", nameof(runs));
        bool withNorms = list.Any(h => h.Steps.Any(s => s.GradientNorms is not null));

        GenericChart Panel(string task, int row, Func<StepRecord, IReadOnlyDictionary<string, double>?> select, string title) =>
            CSharpChart.Combine(list.Select((history, r) =>
                {
                    var points = history.Steps
                        .Select(s => (s.Step, Value: select(s) is { } values && values.TryGetValue(task, out var v) ? v : double.NaN))
                        .Where(p => double.IsFinite(p.Value))
                        .ToList();
                    return RunLine(points.Select(p => p.Step), MovingAverage(points.Select(p => p.Value).ToList(), smoothingWindow),
                        history.RunName, r, showLegend: row == 0 && title.EndsWith("weight", StringComparison.Ordinal), showMarkers: false);
                }))
                .WithXAxisStyle<double, double, string>(TitleText: "step")
                .WithYAxisStyle<double, double, string>(TitleText: title);

        var subplots = new List<GenericChart>();
        var titles = new List<string>();
        foreach (var (task, row) in tasks.Select((t, i) => (t, i)))
        {
            subplots.Add(Panel(task, row, s => s.Weights, $"{task} weight"));
            titles.Add($"{task}: loss weight");
            if (!withNorms) continue;
            subplots.Add(Panel(task, row, s => s.GradientNorms, $"{task} ‖∇L‖"));
            titles.Add($"{task}: task gradient norm");
        }
        var smoothing = smoothingWindow == 1 ? "per step" : $"moving average over {smoothingWindow} steps";
        return Grid(subplots, titles, $"Loss balancer: task weights{(withNorms ? " and gradient norms" : "")} ({smoothing})");
    }

    /// <summary>A value the network logged every step (<see cref="StepRecord.Diagnostics"/>, e.g. ASTMT's "discriminator
    /// accuracy") against the step: one line per run, smoothed by a trailing moving average of <paramref name="smoothingWindow"/>
    /// steps (default: about 1/20 of the steps).</summary>
    public static GenericChart StepDiagnostic(IEnumerable<TrainingHistory> runs, string name, int? smoothingWindow = null)
    {
        var list = NonEmpty(runs, nameof(runs));
        if (!list.Any(h => h.Steps.Any(s => s.Diagnostics?.ContainsKey(name) == true)))
            throw new ArgumentException($"No run logged '{name}'; logged: " +
                                        $"{string.Join(", ", list.SelectMany(h => h.Steps.SelectMany(s => s.Diagnostics?.Keys ?? [])).Distinct())}.", nameof(name));
        var lines = list.Select((history, r) =>
        {
            var points = history.Steps
                .Select(s => (s.Step, Value: s.Diagnostics is { } d && d.TryGetValue(name, out var v) ? v : double.NaN))
                .Where(p => double.IsFinite(p.Value)).ToList();
            var window = smoothingWindow ?? AutoWindow(points.Count);
            return RunLine(points.Select(p => p.Step), MovingAverage(points.Select(p => p.Value).ToList(), window), history.RunName, r,
                showLegend: true, showMarkers: false);
        });
        return WithTitle(CSharpChart.Combine(lines)
            .WithXAxisStyle<double, double, string>(TitleText: "step")
            .WithYAxisStyle<double, double, string>(TitleText: name), $"{name} over training");
    }

    /// <summary>Trailing moving average: element i is the mean of values[max(0, i − window + 1) .. i].</summary>
    public static IReadOnlyList<double> MovingAverage(IReadOnlyList<double> values, int window)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        var result = new double[values.Count];
        var sum = 0.0;
        for (var i = 0; i < values.Count; i++)
        {
            sum += values[i];
            if (i >= window)
                sum -= values[i - window];
            result[i] = sum / Math.Min(i + 1, window);
        }

        return result;
    }

    private static int AutoWindow(int count) => Math.Clamp(count / 20, 1, 50);

    private static List<T> NonEmpty<T>(IEnumerable<T> items, string name)
    {
        ArgumentNullException.ThrowIfNull(items, name);
        var list = items.ToList();
        if (list.Count == 0)
            throw new ArgumentException("At least one run is needed.", name);
        return list;
    }

    /// <summary>One primary metric per task (first seen), in order of first appearance.</summary>
    private static List<MetricValue> PrimaryMetricsOf(IEnumerable<EvaluationRecord> evaluations) =>
        evaluations.SelectMany(e => e.Metrics).Where(m => m.IsPrimary).DistinctBy(m => m.Task).ToList();

    private static Color RunColor(int index) => Color.fromHex(Palette[index % Palette.Length]);

    private static GenericChart RunLine<TX>(IEnumerable<TX> x, IEnumerable<double> y, string name, int index, bool showLegend, bool showMarkers)
        where TX : IConvertible =>
        // The legend group ties a run's lines in all subplots to one legend entry.
        CSharpChart.Line<TX, double, string>(x.ToList(), y.ToList(), ShowMarkers: showMarkers, Name: name, LineColor: RunColor(index),
                MarkerColor: RunColor(index))
            .WithTraceInfo(ShowLegend: showLegend, LegendGroup: $"run{index}");

    private static GenericChart Grid(IReadOnlyList<GenericChart> subplots, IReadOnlyList<string> titles, string title)
    {
        var columns = Math.Min(2, subplots.Count);
        var rows = (subplots.Count + columns - 1) / columns;
        var grid = CSharpChart.Grid(subplots, rows, columns, SubPlotTitles: titles.ToList(), YGap: 0.35, XGap: 0.2)
            .WithSize(500 * columns + 150, 380 * rows + 120);
        return WithTitle(grid, title);
    }

    // The C# wrapper has no title setter; Plotly.NET's F# Chart.withTitle is curried (returns an FSharpFunc).
    internal static GenericChart WithTitle(GenericChart chart, string title) =>
        Plotly.NET.Chart.withTitle(title, FSharpOption<Font>.None).Invoke(chart);
}
