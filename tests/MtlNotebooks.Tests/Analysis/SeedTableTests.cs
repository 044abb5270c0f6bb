using System.Text.Json;
using Microsoft.Data.Analysis;
using MtlNotebooks.Analysis;
using Plotly.NET;

namespace MtlNotebooks.Tests.Analysis;

/// <summary>Results over seeds: each primary metric and Δm as mean ± sample std, Δm taken per seed against that seed's
/// baselines; checked against values worked out by hand.</summary>
public sealed class SeedTableTests
{
    // Seed 0: baseline (50, 2.0), model (55, 2.5): seg +10 %, depth −25 % → Δm −7.5.
    // Seed 1: baseline (40, 1.0), model (44, 0.9): seg +10 %, depth +10 % → Δm +10.
    private static SeededRuns TwoSeeds() => new(
    [
        (0, [AnalysisFixtures.Run("single-task", AnalysisFixtures.Nyud(50, 2.0), "single-task", "-", 1000),
             AnalysisFixtures.Run("hard-sharing", AnalysisFixtures.Nyud(55, 2.5), "HardSharing", "uniform", 600)]),
        (1, [AnalysisFixtures.Run("single-task", AnalysisFixtures.Nyud(40, 1.0), "single-task", "-", 1000),
             AnalysisFixtures.Run("hard-sharing", AnalysisFixtures.Nyud(44, 0.9), "HardSharing", "uniform", 600)]),
    ]);

    private static double Cell(DataFrame table, string column, int row) => (double)table.Columns[column][row];

    [Fact]
    public void SeedTable_HasMeanAndStdColumnsPerPrimaryMetric_ThenDeltaMAndTheSeedCount()
    {
        var table = DeltaM.SeedTable(TwoSeeds());

        Assert.Equal(
            ["model", "architecture", "balancer", "parameters", "semseg mIoU ↑ mean", "semseg mIoU ↑ std", "depth RMSE ↓ mean", "depth RMSE ↓ std",
             "Δm (%) mean", "Δm (%) std", "seeds"],
            table.Columns.Select(c => c.Name));
        Assert.Equal(["single-task", "hard-sharing"], Enumerable.Range(0, 2).Select(r => (string)table.Columns["model"][r]));
        Assert.Equal(600L, table.Columns["parameters"][1]);
        Assert.Equal([2, 2], Enumerable.Range(0, 2).Select(r => (int)table.Columns["seeds"][r]));
    }

    [Fact]
    public void SeedTable_MeansAndSampleStds_MatchHandComputedValues()
    {
        var table = DeltaM.SeedTable(TwoSeeds());

        // Two values a, b: mean (a + b) / 2, sample std |a − b| / √2.
        Assert.Equal(45.0, Cell(table, "semseg mIoU ↑ mean", 0), 12);
        Assert.Equal(10 / Math.Sqrt(2), Cell(table, "semseg mIoU ↑ std", 0), 12);
        Assert.Equal(1.5, Cell(table, "depth RMSE ↓ mean", 0), 12);
        Assert.Equal(1 / Math.Sqrt(2), Cell(table, "depth RMSE ↓ std", 0), 12);
        Assert.Equal(49.5, Cell(table, "semseg mIoU ↑ mean", 1), 12);
        Assert.Equal(11 / Math.Sqrt(2), Cell(table, "semseg mIoU ↑ std", 1), 12);
        Assert.Equal(1.7, Cell(table, "depth RMSE ↓ mean", 1), 12);
        Assert.Equal(1.6 / Math.Sqrt(2), Cell(table, "depth RMSE ↓ std", 1), 12);

        // The baselines are Δm's reference in every seed: 0 ± 0.
        Assert.Equal(0.0, Cell(table, "Δm (%) mean", 0));
        Assert.Equal(0.0, Cell(table, "Δm (%) std", 0));
        // Δm per seed (−7.5, +10), then the mean and std: 1.25 ± 17.5 / √2. The Δm of the mean metrics would be
        // (49.5/45 − 1 + 1 − 1.7/1.5) / 2 = −1.67 %: a different, and wrong, quantity.
        Assert.Equal(1.25, Cell(table, "Δm (%) mean", 1), 12);
        Assert.Equal(17.5 / Math.Sqrt(2), Cell(table, "Δm (%) std", 1), 12);
    }

    [Fact]
    public void SeedTable_OneSeed_StdIsNaN_AndMeansAreThatSeedsValues()
    {
        var one = new SeededRuns([(7, TwoSeeds().Runs[0])]);

        var table = one.DeltaMTable();

        Assert.Equal(55.0, Cell(table, "semseg mIoU ↑ mean", 1));
        Assert.True(double.IsNaN(Cell(table, "semseg mIoU ↑ std", 1)));
        Assert.Equal(-7.5, Cell(table, "Δm (%) mean", 1), 12);
        Assert.True(double.IsNaN(Cell(table, "Δm (%) std", 1)));
        Assert.Equal(1, (int)table.Columns["seeds"][1]);
    }

    [Fact]
    public void MeanAndStd_UsesNMinusOne()
    {
        var (mean, std) = DeltaM.MeanAndStd([2, 4, 4, 4, 5, 5, 7, 9]);

        Assert.Equal(5.0, mean, 12);
        Assert.Equal(Math.Sqrt(32.0 / 7), std, 12);   // Σ (x − 5)² = 32 over n − 1 = 7
        Assert.Throws<ArgumentException>(() => DeltaM.MeanAndStd([]));
    }

    [Fact]
    public void PerSeedTable_StacksEverySeedsOwnTableBehindASeedColumn()
    {
        var table = TwoSeeds().PerSeedDeltaMTable();

        Assert.Equal(["seed", "model", "architecture", "balancer", "parameters", "semseg mIoU ↑", "depth RMSE ↓", "Δm (%)"], table.Columns.Select(c => c.Name));
        Assert.Equal([0, 0, 1, 1], Enumerable.Range(0, 4).Select(r => (int)table.Columns["seed"][r]));
        Assert.Equal([0.0, -7.5, 0.0, 10.0], Enumerable.Range(0, 4).Select(r => Math.Round(Cell(table, "Δm (%)", r), 12)));
    }

    [Fact]
    public void ToText_ShowsSignedMeanAndTwoDecimalStd()
    {
        var lines = DeltaM.ToText(DeltaM.SeedTable(TwoSeeds())).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();

        Assert.EndsWith("Δm (%) mean  Δm (%) std  seeds", lines[0]);
        Assert.Matches(@"\+1\.25\s+12\.37\s+2$", lines[3]);
        Assert.Matches(@"\+0\.00\s+0\.00\s+2$", lines[2]);
    }

    [Fact]
    public void SeededRuns_DifferentConfigurationsOrRepeatedSeeds_AreRejected()
    {
        var runs = TwoSeeds().Runs;
        var renamed = new[] { runs[1][0], AnalysisFixtures.Run("mti-net", AnalysisFixtures.Nyud(44, 0.9)) };

        Assert.Contains("same configurations", Assert.Throws<ArgumentException>(() => new SeededRuns([(0, runs[0]), (1, renamed)])).Message);
        Assert.Contains("Seed 0 appears 2 times", Assert.Throws<ArgumentException>(() => new SeededRuns([(0, runs[0]), (0, runs[1])])).Message);
        Assert.Throws<ArgumentException>(() => new SeededRuns([]));
    }

    [Fact]
    public void MetricsCsvTable_OverSeeds_LeadsWithTheSeed()
    {
        var table = ResultsCsv.Metrics(TwoSeeds());

        Assert.Equal("seed," + ResultsCsv.MetricsHeader, string.Join(",", table.Columns.Select(c => c.Name)));
        Assert.Equal(2 * 2 * 2, table.Rows.Count);   // seeds × runs × primary metrics
        Assert.Equal(1, table.Columns["seed"][7]);
    }

    [Fact]
    public void DeltaMBars_FromASeedTable_DrawsTheMeanWithStdErrorBars()
    {
        var json = GenericChart.toJson(Charts.DeltaMBars(DeltaM.SeedTable(TwoSeeds())));

        using var document = JsonDocument.Parse(json);
        var trace = document.RootElement.GetProperty("data")[0];
        Assert.Equal("bar", trace.GetProperty("type").GetString());
        Assert.Equal([0.0, 1.25], trace.GetProperty("y").EnumerateArray().Select(v => Math.Round(v.GetDouble(), 12)));
        var error = trace.GetProperty("error_y");
        Assert.Equal("data", error.GetProperty("type").GetString());
        Assert.Equal([0.0, Math.Round(17.5 / Math.Sqrt(2), 12)], error.GetProperty("array").EnumerateArray().Select(v => Math.Round(v.GetDouble(), 12)));
        Assert.Contains("\"+1.25 ± 12.37\"", json);
        Assert.Contains("mean ± std over 2 seeds", json);
    }
}
