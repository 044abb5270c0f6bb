using MtlNotebooks.Runtime;
using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;

namespace MtlNotebooks.Analysis;

/// <summary>Results as CSV, written by Microsoft.Data.Analysis's <see cref="DataFrame.SaveCsv(DataFrame, Stream, char, bool, Encoding, CultureInfo)"/>
/// (a field holding a comma, a quote or a line break is quoted; the platform's line ends), with invariant-culture
/// numbers in UTF-8, atomically so an interrupted run never leaves a truncated file.</summary>
public static class ResultsCsv
{
    /// <summary>The header of <see cref="WriteMetrics(string, IEnumerable{RunResult})"/>.</summary>
    public const string MetricsHeader = "model,architecture,balancer,task,metric,direction,primary,value";

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Long format: one line per (run, task, metric) of each run's final evaluation (<see cref="Metrics(IEnumerable{RunResult})"/>).</summary>
    public static void WriteMetrics(string path, IEnumerable<RunResult> runs) => Save(path, Metrics(runs));

    /// <summary>The table <see cref="WriteMetrics(string, IEnumerable{RunResult})"/> writes, with the columns of <see cref="MetricsHeader"/>.</summary>
    public static DataFrame Metrics(IEnumerable<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var rows = runs.SelectMany(run => run.Final.Metrics.Select(m => (Run: run, Metric: m))).ToList();
        return new DataFrame(
            new StringDataFrameColumn("model", rows.Select(r => r.Run.Name)),
            new StringDataFrameColumn("architecture", rows.Select(r => r.Run.Architecture)),
            new StringDataFrameColumn("balancer", rows.Select(r => r.Run.Balancer)),
            new StringDataFrameColumn("task", rows.Select(r => r.Metric.Task)),
            new StringDataFrameColumn("metric", rows.Select(r => r.Metric.Metric)),
            new StringDataFrameColumn("direction", rows.Select(r => r.Metric.Direction == MetricDirection.LowerIsBetter ? "lower" : "higher")),
            new BooleanDataFrameColumn("primary", rows.Select(r => r.Metric.IsPrimary)),
            new DoubleDataFrameColumn("value", rows.Select(r => r.Metric.Value)));
    }

    /// <summary>Long format over seeds: a "seed" column, then the columns of <see cref="MetricsHeader"/>, one line per
    /// (seed, run, task, metric) of each run's final evaluation.</summary>
    public static void WriteMetrics(string path, SeededRuns runs) => Save(path, Metrics(runs));

    /// <summary>The table <see cref="WriteMetrics(string, SeededRuns)"/> writes.</summary>
    public static DataFrame Metrics(SeededRuns runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return SeededRuns.Stack(runs.Seeds, runs.Runs.Select(r => Metrics(r)).ToList());
    }

    /// <summary>A table (e.g. <see cref="DeltaM.Table"/>) with its column names as header and full-precision values.</summary>
    public static void WriteDeltaM(string path, DataFrame table) => Save(path, table);

    /// <summary>Any table, written as <see cref="WriteDeltaM"/> writes one: header of column names, full-precision values, atomically.</summary>
    public static void Write(string path, DataFrame table) => Save(path, table);

    private static void Save(string path, DataFrame table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var text = AsText(table);
        AtomicFile.Write(path, stream =>
            DataFrame.SaveCsv(text, stream, separator: ',', header: true, encoding: Utf8NoBom, cultureInfo: CultureInfo.InvariantCulture));
    }

    // SaveCsv writes doubles as "G17" (0.585 becomes 0.58499999999999996) and booleans as True/False, so every cell is
    // formatted here and SaveCsv writes and quotes the strings.
    private static DataFrame AsText(DataFrame table) =>
        new(table.Columns.Select(c => new StringDataFrameColumn(c.Name, Enumerable.Range(0, checked((int)c.Length)).Select(r => FormatValue(c[r])))));

    // "R" round-trips doubles exactly; NaN/Infinity stay readable by pandas and Microsoft.Data.Analysis.
    private static string FormatValue(object? value) => value switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
