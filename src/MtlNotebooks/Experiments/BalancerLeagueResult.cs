using System.Globalization;
using Microsoft.Data.Analysis;
using MtlNotebooks.Analysis;
using Plotly.NET;
using Plotly.NET.CSharp;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace MtlNotebooks.Experiments;

/// <summary>What <see cref="BalancerLeague.Run"/> produced: the league <see cref="Table"/> (best mean Δm first), the
/// experiment behind it (every seed's runs, Δm tables, report, checkpoints) and the files written.</summary>
/// <param name="Table">One row per strategy: <see cref="BalancerLeague"/>'s columns.</param>
/// <param name="Experiment">The underlying experiment: single-task baselines and one arm per strategy, every seed.</param>
/// <param name="CsvPath">The table as CSV.</param>
/// <param name="ReportPath">The table and its charts as a standalone HTML page.</param>
public sealed record BalancerLeagueResult(DataFrame Table, QuickExperimentResult Experiment, string CsvPath, string ReportPath)
{
    private const string WithinNoise = "#2ca02c", Distinct = "#7f7f7f";

    /// <summary>The strategies whose Δm no paired t-test separates from the best one's: the top of the table that the
    /// seeds cannot order.</summary>
    public IReadOnlyList<string> WithinNoiseOfBest => Rows().Where(r => r.WithinNoise).Select(r => r.Name).ToList();

    /// <summary>Mean Δm per strategy with ± one std over the seeds; green bars are within noise of the best.</summary>
    public GenericChart DeltaMChart()
    {
        var rows = Rows();
        var chart = CSharpChart.Column<double, string, string>(
                rows.Select(r => r.Mean), Keys: rows.Select(r => r.Name).ToList(),
                MarkerColor: Color.fromColors(rows.Select(r => Color.fromHex(r.WithinNoise ? WithinNoise : Distinct))),
                MultiText: rows.Select(r => $"{TableCells.Signed(r.Mean)} ± {r.Std.ToString("0.00", CultureInfo.InvariantCulture)}").ToList(),
                ShowLegend: false)
            .WithXAxisStyle<double, double, string>(TitleText: "strategy")
            .WithYAxisStyle<double, double, string>(TitleText: $"{DeltaM.DeltaMMeanColumn} ↑", ZeroLine: true)
            .WithSize(Math.Clamp(200 + 45 * rows.Count, 750, 1400), 450);
        return Charts.WithTitle(Charts.WithYErrors(chart, rows.Select(r => r.Std)),
            $"Δm per strategy, mean ± std over {Seeds} seeds (green: within noise of the best)");
    }

    /// <summary>Δm against the step time relative to fixed uniform weights: what a strategy buys for what it costs.</summary>
    public GenericChart CostChart()
    {
        var rows = Rows();
        var (xs, ys, names) = (rows.Select(r => r.Relative).ToList(), rows.Select(r => r.Mean).ToList(), rows.Select(r => r.Name).ToList());
        var chart = CSharpChart.Point<double, double, string>(
                xs, ys, MultiText: names, MultiTextPosition: PointLabels.Places(xs, ys, names, 900, 550).ToArray(), ShowLegend: false,
                MarkerColor: Color.fromColors(rows.Select(r => Color.fromHex(r.WithinNoise ? WithinNoise : Distinct))))
            .WithXAxisStyle<double, double, string>(TitleText: "step time × uniform")
            .WithYAxisStyle<double, double, string>(TitleText: $"{DeltaM.DeltaMMeanColumn} ↑", ZeroLine: true)
            .WithSize(900, 550);
        return Charts.WithTitle(Charts.WithYErrors(chart, rows.Select(r => r.Std)), "Δm against the cost of a training step");
    }

    /// <summary>The table and both charts as a report page.</summary>
    public HtmlReport Report(string architecture)
    {
        var within = WithinNoiseOfBest;
        return new HtmlReport($"Loss-balancing league on {architecture}")
            .AddParagraph($"{Table.Rows.Count} strategies, {Seeds} seeds. Δm against each seed's single-task networks; p from a paired t-test over the seeds " +
                          $"against fixed uniform weights. Within noise of the best ({within.Count}): {string.Join(", ", within)}.")
            .AddTable(Table)
            .AddChart(DeltaMChart())
            .AddChart(CostChart());
    }

    private int Seeds => Table.Rows.Count == 0 ? 0 : Convert.ToInt32(Table.Columns[DeltaM.SeedsColumn][0], CultureInfo.InvariantCulture);

    private List<(string Name, double Mean, double Std, bool WithinNoise, double Relative)> Rows() =>
        Enumerable.Range(0, (int)Table.Rows.Count).Select(r => (
            Name: (string)Table.Columns[BalancerLeague.BalancerColumn][r],
            Mean: (double)Table.Columns[DeltaM.DeltaMMeanColumn][r],
            Std: (double)Table.Columns[DeltaM.DeltaMStdColumn][r],
            WithinNoise: (bool)Table.Columns[BalancerLeague.WithinNoiseColumn][r],
            Relative: (double)Table.Columns[BalancerLeague.RelativeStepColumn][r])).ToList();
}
