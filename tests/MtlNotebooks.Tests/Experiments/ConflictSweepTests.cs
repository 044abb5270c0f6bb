using Microsoft.Data.Analysis;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Experiments;

namespace MtlNotebooks.Tests.Experiments;

/// <summary>The conflict sweep: fixed seeds give the same table twice, its columns keep the relations that define them,
/// the summary is mean ± std as worked out by hand, and bad settings are all named at once.</summary>
[Collection("Torch")]
public sealed class ConflictSweepTests
{
    private static readonly (string, SceneOptions)[] TwoSettings = [("shape", SceneOptions.Default), ("colour", new SceneOptions { ClassByColour = 1 })];

    [Fact]
    public void Smoke_OneRowPerSettingAndSeed_Reproducible_ColumnsConsistent()
    {
        var first = ConflictSweep.Run(TwoSettings, ConflictSweepOptions.Smoke);
        var again = ConflictSweep.Run(TwoSettings, ConflictSweepOptions.Smoke);

        Assert.Equal(["shape", "shape", "colour", "colour"], Column<string>(first, ConflictSweep.SettingColumn));
        Assert.Equal([0, 1, 0, 1], Column<int>(first, ConflictSweep.SeedColumn));
        foreach (var column in first.Columns)
            Assert.Equal(Enumerable.Range(0, 4).Select(i => column[i]), Enumerable.Range(0, 4).Select(i => again[column.Name][i]));
        for (int i = 0; i < 4; i++)
        {
            // Δm is the mean of its per-task terms (survey eq. 10); the mean cosine is the mean of the three pairs.
            double terms = new[] { "semseg", "depth", "normals" }.Average(t => (double)first[$"Δ {t} (%)"][i]);
            Assert.Equal(terms, (double)first[ConflictSweep.DeltaMColumn][i], 9);
            var pairs = first.Columns.Where(c => c.Name.StartsWith("cos ", StringComparison.Ordinal)).Select(c => (double)c[i]).ToArray();
            Assert.Equal(3, pairs.Length);
            Assert.All(pairs, c => Assert.InRange(c, -1, 1));
            Assert.Equal(pairs.Average(), (double)first[ConflictSweep.MeanCosineColumn][i], 9);
            var affinities = first.Columns.Where(c => c.Name.StartsWith("RSA ", StringComparison.Ordinal)).Select(c => (double)c[i]).ToArray();
            Assert.Equal(3, affinities.Length);
            Assert.All(affinities, a => Assert.InRange(a, -1, 1));
            Assert.Equal(affinities.Average(), (double)first[ConflictSweep.MeanAffinityColumn][i], 9);
        }
    }

    [Fact]
    public void Summary_IsMeanPlusMinusSampleStd_PerSetting()
    {
        var perSeed = new DataFrame(
            new StringDataFrameColumn(ConflictSweep.SettingColumn, ["a", "a", "a", "b", "b", "b"]),
            new PrimitiveDataFrameColumn<int>(ConflictSweep.SeedColumn, [0, 1, 2, 0, 1, 2]),
            new DoubleDataFrameColumn(ConflictSweep.DeltaMColumn, [1.0, 2, 3, -1, -1, -4]),
            new DoubleDataFrameColumn(ConflictSweep.MeanCosineColumn, [0.1, 0.2, 0.3, 0.0, 0.0, 0.0]));

        var summary = ConflictSweep.Summary(perSeed);

        // a: Δm 2 ± 1; b: mean −2, deviations 1, 1, −2 → std √(6 / 2) = 1.732.
        Assert.Equal(["a", "b"], Column<string>(summary, ConflictSweep.SettingColumn));
        Assert.Equal(["2.00 ± 1.00", "-2.00 ± 1.73"], Column<string>(summary, ConflictSweep.DeltaMColumn));
        Assert.Equal(["0.200 ± 0.100", "0.000 ± 0.000"], Column<string>(summary, ConflictSweep.MeanCosineColumn));
    }

    [Fact]
    public void BadSettings_AreAllNamedAtOnce()
    {
        var ex = Assert.Throws<ArgumentException>(() => ConflictSweep.Run(
            [("x", SceneOptions.Default), ("x", new SceneOptions { ClassByTexture = 2 })],
            ConflictSweepOptions.Smoke with { Seeds = 1, Epochs = 0 }));
        Assert.Contains("ConflictSweepOptions.Epochs is 0", ex.Message);
        Assert.Contains("ConflictSweepOptions.Seeds is 1", ex.Message);
        Assert.Contains("SceneOptions.ClassByTexture is 2", ex.Message);
        Assert.Contains("Two settings are named 'x'", ex.Message);
    }

    [Fact]
    public void QuickExperiment_RecordsTheSceneOptions_AndRefusesThemForRealData()
    {
        var options = new QuickExperimentOptions { Scenes = new SceneOptions { ClassByColour = 0.5 } };
        Assert.Equal("0.5", options.Settings()["classByColour"]);
        Assert.False(new QuickExperimentOptions().Settings().ContainsKey("classByColour"));
        var real = options with { Dataset = DataSetPresets.Get("nyud"), DataRoot = "/nonexistent" };
        Assert.Contains("QuickExperimentOptions.Scenes", Assert.Throws<ArgumentException>(() => ExperimentData.Create(real)).Message);
    }

    private static T[] Column<T>(DataFrame frame, string name) => Enumerable.Range(0, (int)frame.Rows.Count).Select(i => (T)frame[name][i]).ToArray();
}
