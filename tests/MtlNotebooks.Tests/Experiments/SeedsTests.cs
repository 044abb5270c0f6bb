using MtlNotebooks.Analysis;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Experiments;
using MtlNotebooks.Training;

namespace MtlNotebooks.Tests.Experiments;

/// <summary>Experiments over several seeds: the library call, <c>run quick --seeds</c>, its outputs and its resume.</summary>
[Collection("Torch")]
public sealed class SeedsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mtl-seeds-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void RunSeeds_EachSeedSetsInitialisationAndDataOrder_OnFixedData()
    {
        var (train, validation) = SyntheticDataset.CreateSplits(8, 4, 16, 16, seed: 0);
        var common = MultiTaskNet.CreateBuilder().UseBackbone(Backbones.SmallResNet(4))
            .AddTask(DenseTasks.SemanticSegmentation()).AddTask(DenseTasks.Depth());
        (string, MultiTaskNetBuilder)[] configurations =
            [("single-task", common.UseArchitecture(Architectures.SingleTask())), ("hard-sharing", common.UseArchitecture(Architectures.HardSharing()))];
        var options = new TrainingOptions { Epochs = 1, BatchSize = 4 };

        var seeded = Comparison.RunSeeds(configurations, train, validation, options, [3, 4]);

        Assert.Equal([3, 4], seeded.Seeds);
        Assert.Equal(["single-task", "hard-sharing"], seeded.Configurations);
        // Seed 4's runs are those of a plain comparison with WithSeed(4) and TrainingOptions.Seed = 4.
        var alone = Comparison.Run(configurations.Select(c => (c.Item1, c.Item2.WithSeed(4))), train, validation, options with { Seed = 4 });
        Assert.Equal(alone.Select(r => r.Final.Metrics.Select(m => m.Value)), seeded.ForSeed(4).Select(r => r.Final.Metrics.Select(m => m.Value)));
        Assert.NotEqual(seeded.ForSeed(3)[1].Final.Metrics.Select(m => m.Value), seeded.ForSeed(4)[1].Final.Metrics.Select(m => m.Value));
        Assert.Equal(2, (int)seeded.DeltaMTable().Columns[DeltaM.SeedsColumn][1]);
        Assert.Throws<ArgumentException>(() => Comparison.RunSeeds(configurations, train, validation, options, [1, 1]));
    }

    private string[] TinyTwoSeeds(string folder) => ["run", "quick", "--tiny", "--train-samples", "16", "--seeds", "2", "--seed", "5", "--output", folder];

    [Fact]
    public void RunQuickTiny_TwoSeeds_PrintsMeanAndStdOverTwoSeeds_AndWritesEverySeed()
    {
        var folder = Path.Combine(_root, "quick");

        var (exit, output, error) = CliOutput.Run(TinyTwoSeeds(folder));

        Assert.True(exit == 0, output + error);
        var header = output.Split('\n').Single(l => l.StartsWith("model ", StringComparison.Ordinal));
        foreach (var column in new[] { "semseg mIoU ↑ mean", "semseg mIoU ↑ std", "depth RMSE ↓ mean", "Δm (%) mean", "Δm (%) std", "seeds" })
            Assert.Contains(column, header);
        Assert.Matches(@"(?m)^hard-sharing .*\s2\r?$", output);
        Assert.Contains("hard-sharing, seed 6:", output);

        var deltaM = File.ReadAllLines(Path.Combine(folder, "delta_m.csv"));
        Assert.EndsWith("Δm (%) mean,Δm (%) std,seeds", deltaM[0]);
        Assert.Equal(3, deltaM.Length);
        Assert.EndsWith(",2", deltaM[2]);
        var perSeed = File.ReadAllLines(Path.Combine(folder, "delta_m_per_seed.csv"));
        Assert.Equal(["seed,model", "5,single-task", "5,hard-sharing", "6,single-task", "6,hard-sharing"],
            perSeed.Select(l => string.Join(',', l.Split(',').Take(2))));
        var metrics = File.ReadAllLines(Path.Combine(folder, "metrics.csv"));
        Assert.Equal("seed," + ResultsCsv.MetricsHeader, metrics[0]);
        Assert.Equal(1 + 2 * 2 * (2 + 6 + 5), metrics.Length);
        foreach (var file in new[] { "single-task.seed5.ckpt", "hard-sharing.seed5.ckpt", "single-task.seed6.ckpt", "hard-sharing.seed6.ckpt" })
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        Assert.Contains("\"seeds\": \"2\"", File.ReadAllText(Path.Combine(folder, RunFolder.SettingsFile)));
        var report = File.ReadAllText(Path.Combine(folder, "report.html"));
        Assert.Contains("error_y", report);
        Assert.Contains("Δm per seed", report);
    }

    [Fact]
    public void RunQuickTiny_TwoSeeds_ResumedAfterTheFirstSeed_EqualsTheUninterruptedRun()
    {
        var folder = Path.Combine(_root, "resume");
        var (exit, output, error) = CliOutput.Run(TinyTwoSeeds(folder));
        Assert.True(exit == 0, output + error);
        string[] compared = ["metrics.csv", "delta_m.csv", "delta_m_per_seed.csv", "single-task.seed6.ckpt", "hard-sharing.seed6.ckpt"];
        var reference = compared.ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(folder, f)));

        // As if stopped once the first seed had finished: the second seed's networks and the tables are not there yet.
        foreach (var file in new[] { "single-task.seed6.ckpt", "hard-sharing.seed6.ckpt", "metrics.csv", "delta_m.csv", "delta_m_per_seed.csv", "report.html" })
            File.Delete(Path.Combine(folder, file));
        (exit, output, error) = CliOutput.Run([.. TinyTwoSeeds(folder), "--resume"]);

        Assert.True(exit == 0, output + error);
        Assert.Contains("Resuming the run", output);
        foreach (var file in compared)
            Assert.True(reference[file].AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(folder, file))), $"{file} differs after the resume");

        (exit, _, error) = CliOutput.Run(["run", "quick", "--tiny", "--train-samples", "16", "--seeds", "3", "--seed", "5", "--output", folder, "--resume"]);
        Assert.Equal(1, exit);
        Assert.Contains("seeds: the run has 2, these settings ask for 3", error);
    }
}
