using Microsoft.Data.Analysis;
using MtlNotebooks.Modules.EncoderFocused;
using Plotly.NET;
using Plotly.NET.CSharp;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace MtlNotebooks.Analysis;

/// <summary>Tables and charts of branched networks' task affinity (RSA of trained single-task networks at every branch point;
/// Vandenhende et al., BMVC 2020, Fig. 3) and of the trees <see cref="TreeSearch"/> weighs against a budget.</summary>
public static class RsaAffinity
{
    /// <summary>One row per branch point and pair of tasks: branch point, task a, task b, affinity (Spearman ρ of the RDMs).</summary>
    public static DataFrame Table(BranchPointAffinity affinity)
    {
        var point = new StringDataFrameColumn("branch point");
        var a = new StringDataFrameColumn("task a");
        var b = new StringDataFrameColumn("task b");
        var value = new DoubleDataFrameColumn("affinity");
        for (int d = 0; d < affinity.BranchPoints.Count; d++)
            for (int i = 0; i < affinity.Tasks.Count; i++)
                for (int j = i + 1; j < affinity.Tasks.Count; j++)
                {
                    point.Append(affinity.BranchPoints[d]);
                    a.Append(affinity.Tasks[i]);
                    b.Append(affinity.Tasks[j]);
                    value.Append(Math.Round(affinity.Values[d][i, j], 4));
                }
        return new DataFrame(point, a, b, value);
    }

    /// <summary>One task × task heat map per branch point, shallow to deep, the affinity written in every cell.</summary>
    public static GenericChart HeatMap(BranchPointAffinity affinity)
    {
        var tasks = affinity.Tasks;
        var panels = affinity.Values.Select((m, d) => CSharpChart.Heatmap<double, string, string, string>(
                tasks.Select((_, i) => tasks.Select((_, j) => m[i, j])).ToArray(),
                X: tasks.ToArray(), Y: tasks.ToArray(),
                MultiText: tasks.SelectMany((_, i) => tasks.Select((_, j) => $"{m[i, j]:0.00}")).ToArray(),
                ColorScale: StyleParam.Colorscale.Viridis, ShowScale: d == affinity.Values.Count - 1, Name: affinity.BranchPoints[d]))
            .ToArray();
        var grid = CSharpChart.Grid(panels, 1, panels.Length, SubPlotTitles: affinity.BranchPoints.ToList(), XGap: 0.12)
            .WithSize(Math.Clamp(280 * panels.Length, 600, 1400), 380);
        return Charts.WithTitle(grid, "Task affinity (RSA, Spearman ρ of the RDMs) at each branch point");
    }

    /// <summary>Every candidate tree (<see cref="TreeSearch.Evaluate"/>) with its cost, score and whether it fits <paramref name="budget"/>,
    /// the best fitting tree first; <paramref name="top"/> rows at most.</summary>
    public static DataFrame Trees(IReadOnlyList<TreeCandidate> candidates, long budget, int top = 10)
    {
        var rows = candidates.OrderBy(c => c.Cost > budget).ThenBy(c => c.Score).ThenBy(c => c.Cost).Take(top).ToArray();
        return new DataFrame(
            new StringDataFrameColumn("tree", rows.Select(r => r.Tree.ToString())),
            new PrimitiveDataFrameColumn<long>("cost", rows.Select(r => r.Cost)),
            new DoubleDataFrameColumn("dissimilarity score", rows.Select(r => Math.Round(r.Score, 4))),
            new BooleanDataFrameColumn("within budget", rows.Select(r => r.Cost <= budget)));
    }

    /// <summary>Every candidate tree as a point of cost against dissimilarity score, the budget as a vertical line: the chosen tree
    /// is the lowest point left of it.</summary>
    public static GenericChart TreesChart(IReadOnlyList<TreeCandidate> candidates, long budget, string unit = "parameters")
    {
        if (candidates.Count == 0) throw new ArgumentException("No trees to plot.", nameof(candidates));
        var points = CSharpChart.Point<double, double, string>(candidates.Select(c => (double)c.Cost).ToList(), candidates.Select(c => c.Score).ToList(),
            MultiText: candidates.Select(c => c.Tree.ToString()).ToList(), Name: "trees", ShowLegend: false);
        double top = candidates.Max(c => c.Score);
        var line = CSharpChart.Line<double, double, string>(new[] { (double)budget, budget }, new[] { 0.0, top }, Name: "budget", ShowLegend: true);
        var chart = CSharpChart.Combine([points, line])
            .WithXAxisStyle<double, double, string>(TitleText: $"cost ({unit})")
            .WithYAxisStyle<double, double, string>(TitleText: "task dissimilarity score ↓")
            .WithSize(900, 450);
        return Charts.WithTitle(chart, "Candidate trees: cost against the dissimilarity of tasks kept together");
    }
}
