using Microsoft.Data.Analysis;
using MtlNotebooks.Analysis;
using MtlNotebooks.Experiments;
using MtlNotebooks.Training;
using TorchSharp;

namespace MtlNotebooks.Tests.Experiments;

/// <summary>The balancer league: every strategy on the same network and seeds, its table, files and resume; the paired
/// t-test and the resident-memory reading behind its columns.</summary>
[Collection("Torch")]
public sealed class BalancerLeagueTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mtl-league-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private BalancerLeagueOptions Tiny(string folder, ExistingRun existing = ExistingRun.Refuse) => new()
    {
        Balancers = new Dictionary<string, ILossBalancer> { ["dwa"] = Balancers.Dwa(), ["pcgrad"] = Balancers.PCGrad() },
        TimedSteps = 2,
        WarmupSteps = 1,
        Experiment = QuickExperimentOptions.Tiny with { TrainSamples = 16, Seeds = 2, OutputDirectory = folder, ExistingRun = existing },
    };

    [Fact]
    public void PairedTTest_MatchesTheClosedFormForThreeDegreesOfFreedom()
    {
        // Differences 1, 2, 3, 4: t = 2.5 / (1.291 / 2) = 3.873; with 3 degrees of freedom the t CDF has a closed form,
        // F(t) = ½ + (x / (1 + x²) + atan x) / π with x = t / √3, so p = 2 (1 − F) = 0.030466.
        Assert.Equal(0.030466291662170963, PairedTTest.PValue([1, 2, 3, 4], [0, 0, 0, 0]), 1e-9);
        Assert.Equal(0.030466291662170963, PairedTTest.PValue([0, 0, 0, 0], [1, 2, 3, 4]), 1e-9);
        Assert.Equal(1.0, PairedTTest.PValue([1, 2], [1, 2]));
        Assert.Equal(0.0, PairedTTest.PValue([2, 3], [1, 2]));
        Assert.True(double.IsNaN(PairedTTest.PValue([1], [0])));
        Assert.True(double.IsNaN(PairedTTest.PValue([1, double.NaN], [0, 0])));
        Assert.Throws<ArgumentException>(() => PairedTTest.PValue([1, 2], [0]));
    }

    [Fact]
    public void ResidentMemory_SeesA256MiBTensorRiseAndFall()
    {
        Assert.True(ResidentMemory.IsAvailable, "resident memory is read from /proc on Linux");
        var rise = ResidentMemory.MeasurePeakRiseMiB(() =>
        {
            using var big = torch.ones(64L * 1024 * 1024, dtype: torch.float32);   // 256 MiB, touched by the fill
        });
        Assert.InRange(rise, 240, 400);
        Assert.InRange(ResidentMemory.MeasurePeakRiseMiB(() => { }), 0, 32);
    }

    [Fact]
    public void Problems_AreAllNamedAtOnce()
    {
        var options = new BalancerLeagueOptions
        {
            Balancers = new Dictionary<string, ILossBalancer> { ["single-task"] = Balancers.Dwa(), ["a/b"] = Balancers.Dwa() },
            Experiment = QuickExperimentOptions.Tiny with { Balancer = Balancers.Dwa() },
            TimedSteps = 0,
            Significance = 1.5,
        };

        var problems = options.Problems();

        Assert.Equal(5, problems.Count);
        Assert.Contains(problems, p => p.Contains("'single-task' is the name of the single-task baselines"));
        Assert.Contains(problems, p => p.Contains("'a/b' cannot name a row"));
        Assert.Contains(problems, p => p.Contains("Experiment.Balancer is DWA (T 2)"));
        Assert.Contains(problems, p => p.Contains("TimedSteps must be at least 1, got 0"));
        Assert.Contains(problems, p => p.Contains("Significance must lie between 0 and 1, got 1.5"));
        var thrown = Assert.Throws<ArgumentException>(() => BalancerLeague.Run(options));
        Assert.Contains("TimedSteps", thrown.Message);
    }

    [Fact]
    public void Run_TrainsEveryStrategyWithEverySeed_RanksThem_AndResumesToTheSameTable()
    {
        var folder = Path.Combine(_root, "league");

        var league = BalancerLeague.Run(Tiny(folder));

        var table = league.Table;
        Assert.Equal(3, table.Rows.Count);
        Assert.Equal(["rank", "balancer", "method", DeltaM.DeltaMMeanColumn, DeltaM.DeltaMStdColumn, DeltaM.SeedsColumn,
            BalancerLeague.PValueColumn, BalancerLeague.WithinNoiseColumn, BalancerLeague.StepColumn, BalancerLeague.RelativeStepColumn,
            BalancerLeague.MemoryColumn], table.Columns.Select(c => c.Name));
        var names = Enumerable.Range(0, 3).Select(r => (string)table[r, 1]).ToList();
        Assert.Equal(["dwa", "pcgrad", "uniform"], names.Order());
        var means = Enumerable.Range(0, 3).Select(r => (double)table[r, 3]).ToList();
        Assert.Equal(means.OrderDescending(), means);
        Assert.True((bool)table[0, 7]);   // the best is within noise of itself

        // Each strategy trained as its own arm with its own balancer, Δm per seed against that seed's baselines.
        var seeded = league.Experiment.Seeded;
        Assert.Equal(2, seeded.Seeds.Count);
        Assert.Equal(["single-task", "uniform", "dwa", "pcgrad"], seeded.Configurations);
        Assert.Equal([Balancers.FixedWeights().Name, Balancers.Dwa().Name, Balancers.PCGrad().Name], seeded.Runs[1].Skip(1).Select(r => r.Balancer));
        var dwa = names.IndexOf("dwa");
        var perSeed = seeded.Runs.Select(runs => DeltaM.Compute(runs[0].Final, runs[2].Final)).ToList();
        Assert.Equal(perSeed.Average(), (double)table[dwa, 3], 1e-9);
        var uniform = seeded.Runs.Select(runs => DeltaM.Compute(runs[0].Final, runs[1].Final)).ToList();
        Assert.Equal(PairedTTest.PValue(perSeed, uniform), (double)table[dwa, 6], 1e-12);
        Assert.True(double.IsNaN((double)table[names.IndexOf("uniform"), 6]));
        Assert.Equal(1.0, (double)table[names.IndexOf("uniform"), 9], 1e-12);
        for (int r = 0; r < 3; r++) Assert.True((double)table[r, 8] > 0);

        Assert.Equal(4, File.ReadAllLines(league.CsvPath).Length);
        Assert.Contains("Loss-balancing league", File.ReadAllText(league.ReportPath));
        Assert.NotEmpty(league.WithinNoiseOfBest);

        // A finished league replays from its checkpoints: the same Δm, without training again.
        var resumed = BalancerLeague.Run(Tiny(folder, ExistingRun.Resume));
        Assert.Equal(means, Enumerable.Range(0, 3).Select(r => (double)resumed.Table[r, 3]));
        Assert.Throws<ExistingRunException>(() => BalancerLeague.Run(Tiny(folder)));
    }
}
