using Microsoft.Data.Analysis;
using Plotly.NET;
using Plotly.NET.CSharp;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace MtlNotebooks.Analysis;

/// <summary>ASTMT's Fig. 5: multi-task performance (Δm) against the number of parameters and against the multiply-adds
/// of inference for every task, one point per model with ± one std over the seeds.</summary>
public static class PerformanceVsResources
{
    /// <summary>The models of a seed Δm table (<see cref="DeltaM.SeedTable"/>) paired with their resource counts by name.</summary>
    public static IReadOnlyList<ModelResources> Join(DataFrame seedTable, IReadOnlyDictionary<string, ResourceCount> counts)
    {
        var rows = new List<ModelResources>();
        for (int r = 0; r < seedTable.Rows.Count; r++)
        {
            var model = seedTable.Columns[DeltaM.ModelColumn][r]?.ToString() ?? "";
            if (!counts.TryGetValue(model, out var count))
                throw new ArgumentException($"No resource count for model '{model}'; counted: {string.Join(", ", counts.Keys)}.", nameof(counts));
            rows.Add(new ModelResources(model, Number(seedTable, DeltaM.DeltaMMeanColumn, r), Number(seedTable, DeltaM.DeltaMStdColumn, r), count));
        }
        return rows;
    }

    /// <summary>Model, parameters (M), multiply-adds (G), Δm mean and std.</summary>
    public static DataFrame Table(IReadOnlyList<ModelResources> models) => new(
        new StringDataFrameColumn("model", models.Select(m => m.Model)),
        new DoubleDataFrameColumn("parameters (M)", models.Select(m => Math.Round(m.Count.MillionParameters, 3))),
        new DoubleDataFrameColumn("multiply-adds (G)", models.Select(m => Math.Round(m.Count.GigaMacs, 3))),
        new DoubleDataFrameColumn(DeltaM.DeltaMMeanColumn, models.Select(m => Math.Round(m.DeltaMMean, 2))),
        new DoubleDataFrameColumn(DeltaM.DeltaMStdColumn, models.Select(m => Math.Round(m.DeltaMStd, 2))));

    /// <summary>Two scatter plots side by side: Δm against parameters, Δm against multiply-adds.</summary>
    public static GenericChart Chart(IReadOnlyList<ModelResources> models)
    {
        if (models.Count == 0) throw new ArgumentException("No models to plot.", nameof(models));
        const int Width = 1150, Height = 480;
        GenericChart Panel(Func<ModelResources, double> x, string axis)
        {
            var (xs, ys, names) = (models.Select(x).ToList(), models.Select(m => m.DeltaMMean).ToList(), models.Select(m => m.Model).ToList());
            return Charts.WithYErrors(
                    CSharpChart.Point<double, double, string>(xs, ys, MultiText: names,
                        MultiTextPosition: PointLabels.Places(xs, ys, names, Width / 2.0, Height).ToArray(), ShowLegend: false),
                    models.Select(m => m.DeltaMStd))
                .WithXAxisStyle<double, double, string>(TitleText: axis)
                .WithYAxisStyle<double, double, string>(TitleText: "Δm (%) ↑", ZeroLine: true);
        }
        var grid = CSharpChart.Grid([Panel(m => m.Count.MillionParameters, "parameters (M)"), Panel(m => m.Count.GigaMacs, "multiply-adds (G)")],
                1, 2, SubPlotTitles: new[] { "Δm vs parameters", "Δm vs multiply-adds" }, XGap: 0.15)
            .WithSize(Width, Height);
        return Charts.WithTitle(grid, "Performance vs resources (mean ± std over seeds)");
    }

    private static double Number(DataFrame table, string column, int row) =>
        Convert.ToDouble(table.Columns[column][row] ?? double.NaN, System.Globalization.CultureInfo.InvariantCulture);
}
