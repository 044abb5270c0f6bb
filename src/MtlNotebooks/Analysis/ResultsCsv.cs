using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;

namespace MtlNotebooks.Analysis;

/// <summary>Results as CSV (RFC 4180 quoting, invariant culture, "\n" line ends, UTF-8), written atomically so an
/// interrupted run never leaves a truncated file.</summary>
public static class ResultsCsv
{
    /// <summary>The header of <see cref="WriteMetrics"/>.</summary>
    public const string MetricsHeader = "model,architecture,balancer,task,metric,direction,primary,value";

    /// <summary>Long format: one line per (run, task, metric) of each run's final evaluation.</summary>
    public static void WriteMetrics(string path, IEnumerable<RunResult> runs) => AtomicFile.WriteAllText(path, MetricsText(runs));

    /// <summary>The text <see cref="WriteMetrics"/> writes.</summary>
    public static string MetricsText(IEnumerable<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var sb = new StringBuilder().Append(MetricsHeader).Append('\n');
        foreach (var run in runs)
        {
            foreach (var m in run.Final.Metrics)
            {
                AppendRow(sb,
                [
                    run.Name, run.Architecture, run.Balancer, m.Task, m.Metric,
                    m.Direction == MetricDirection.LowerIsBetter ? "lower" : "higher",
                    m.IsPrimary ? "true" : "false",
                    FormatValue(m.Value),
                ]);
            }
        }

        return sb.ToString();
    }

    /// <summary>A table (e.g. <see cref="DeltaM.Table"/>) with its column names as header and full-precision values.</summary>
    public static void WriteDeltaM(string path, DataFrame table) => AtomicFile.WriteAllText(path, DataFrameText(table));

    /// <summary>The text <see cref="WriteDeltaM"/> writes.</summary>
    public static string DataFrameText(DataFrame table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var sb = new StringBuilder();
        AppendRow(sb, table.Columns.Select(c => c.Name));
        for (long r = 0; r < table.Rows.Count; r++)
            AppendRow(sb, table.Columns.Select(c => FormatValue(c[r])));
        return sb.ToString();
    }

    /// <summary>A field quoted when it holds a comma, a quote, a line break or edge spaces (RFC 4180).</summary>
    public static string Escape(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var needsQuotes = field.IndexOfAny([',', '"', '\n', '\r']) >= 0
                          || (field.Length > 0 && (char.IsWhiteSpace(field[0]) || char.IsWhiteSpace(field[^1])));
        return needsQuotes ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
    }

    private static void AppendRow(StringBuilder sb, IEnumerable<string> fields) =>
        sb.AppendJoin(',', fields.Select(Escape)).Append('\n');

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
