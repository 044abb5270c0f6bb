using Microsoft.Data.Analysis;
using MtlNotebooks.Analysis;
using MtlNotebooks.Runtime;
using MtlNotebooks.Training;

namespace MtlNotebooks.Experiments;

/// <summary>Every loss-balancing strategy on the same network, data and seeds (survey §3, Table VI's question): Δm as
/// mean ± std over the seeds, a paired t-test against fixed uniform weights and against the best strategy, the step time
/// relative to fixed weights and the rise of resident memory during training. The Δm runs are an ordinary
/// <see cref="QuickExperiment"/> (one arm per strategy), so a stopped league resumes where it stopped.</summary>
public static class BalancerLeague
{
    private static readonly string[] LeagueFiles = ["league.csv", "league.html"];

    /// <summary>Column names of <see cref="BalancerLeagueResult.Table"/>.</summary>
    public const string RankColumn = "rank", BalancerColumn = "balancer", MethodColumn = "method",
        PValueColumn = "p vs uniform", WithinNoiseColumn = "within noise of best",
        StepColumn = "step (ms)", RelativeStepColumn = "× uniform step", MemoryColumn = "peak memory rise (MiB)";

    /// <summary>Times every strategy, trains it with every seed (or replays its finished checkpoints), and writes
    /// <c>league.csv</c> and <c>league.html</c> beside the experiment's own outputs.</summary>
    /// <exception cref="ArgumentException">The options are not usable; every problem is named.</exception>
    /// <exception cref="TrainingDivergedException">A strategy's training diverged; the message names it and the seed.</exception>
    public static BalancerLeagueResult Run(BalancerLeagueOptions options, TextWriter? log = null,
        Func<string, Func<IProgress<TrainingProgress>, TrainingHistory>, TrainingHistory>? trainWithProgress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems();
        if (problems.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems));
        log ??= TextWriter.Null;
        var entries = WithReference(options.Balancers);
        var experiment = options.Experiment with
        {
            OutputDirectory = options.Experiment.OutputDirectory ?? RunFolder.NextVersion(Path.Combine("runs", "balancer-league")),
            Architectures = entries.Select(e => new ExperimentArm(e.Key, options.Architecture, e.Value)).ToArray(),
        };
        // The folder is taken before the timing, so a refused folder fails in a second, and held until the league is written.
        using var folder = QuickExperiment.OpenFolder(experiment, Path.Combine("runs", "balancer-league"), LeagueFiles);
        var costs = MeasureCosts(experiment, options, log);
        var result = QuickExperiment.Run(experiment, folder, log, trainWithProgress);
        var table = Table(entries, result.Seeded, costs, options.Significance);
        var league = new BalancerLeagueResult(table, result,
            Path.Combine(result.OutputDirectory, LeagueFiles[0]), Path.Combine(result.OutputDirectory, LeagueFiles[1]));
        ResultsCsv.WriteDeltaM(league.CsvPath, table);
        AtomicFile.WriteAllText(league.ReportPath, league.Report(options.Architecture.Name).ToHtml());
        log.WriteLine($"League: {league.CsvPath}, {league.ReportPath}");
        return league;
    }

    /// <summary>The league table from finished runs: one row per strategy, best mean Δm first. <paramref name="costs"/> gives
    /// each strategy's median step time (ms) and memory rise (MiB), NaN where not measured.</summary>
    /// <exception cref="ArgumentException">The runs do not hold every strategy, or the reference is missing.</exception>
    public static DataFrame Table(IReadOnlyList<KeyValuePair<string, ILossBalancer>> strategies, SeededRuns runs,
        IReadOnlyDictionary<string, (double StepMs, double MemoryMiB)> costs, double significance = 0.05)
    {
        ArgumentNullException.ThrowIfNull(strategies);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(costs);
        var missing = strategies.Select(s => s.Key).Where(k => !runs.Configurations.Contains(k)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"The runs have no configuration named {string.Join(", ", missing)} (they have {string.Join(", ", runs.Configurations)}).", nameof(runs));
        if (!strategies.Any(s => s.Key == BalancerLeagueOptions.Reference))
            throw new ArgumentException($"The league needs the reference strategy '{BalancerLeagueOptions.Reference}'.", nameof(strategies));

        // Δm of each strategy per seed, against that seed's single-task baselines.
        var perSeed = strategies.ToDictionary(s => s.Key, s =>
        {
            int index = runs.Configurations.ToList().IndexOf(s.Key);
            return (IReadOnlyList<double>)runs.Runs.Select(seedRuns => DeltaM.Compute(seedRuns[0].Final, seedRuns[index].Final)).ToArray();
        });
        var rows = strategies.Select(s => (Name: s.Key, Method: s.Value.Name, Stats: DeltaM.MeanAndStd(perSeed[s.Key])))
            .OrderByDescending(r => double.IsNaN(r.Stats.Mean) ? double.NegativeInfinity : r.Stats.Mean).ToList();
        var best = rows[0].Name;
        var reference = perSeed[BalancerLeagueOptions.Reference];
        var referenceStep = costs.TryGetValue(BalancerLeagueOptions.Reference, out var r0) ? r0.StepMs : double.NaN;
        double Cost(string name, Func<(double StepMs, double MemoryMiB), double> pick) => costs.TryGetValue(name, out var c) ? pick(c) : double.NaN;

        return new DataFrame(
            new Int32DataFrameColumn(RankColumn, Enumerable.Range(1, rows.Count)),
            new StringDataFrameColumn(BalancerColumn, rows.Select(r => r.Name)),
            new StringDataFrameColumn(MethodColumn, rows.Select(r => r.Method)),
            new DoubleDataFrameColumn(DeltaM.DeltaMMeanColumn, rows.Select(r => r.Stats.Mean)),
            new DoubleDataFrameColumn(DeltaM.DeltaMStdColumn, rows.Select(r => r.Stats.Std)),
            new Int32DataFrameColumn(DeltaM.SeedsColumn, rows.Select(_ => runs.Seeds.Count)),
            new DoubleDataFrameColumn(PValueColumn, rows.Select(r => r.Name == BalancerLeagueOptions.Reference ? double.NaN : PairedTTest.PValue(perSeed[r.Name], reference))),
            new BooleanDataFrameColumn(WithinNoiseColumn, rows.Select(r => r.Name == best || !(PairedTTest.PValue(perSeed[r.Name], perSeed[best]) < significance))),
            new DoubleDataFrameColumn(StepColumn, rows.Select(r => Cost(r.Name, c => c.StepMs))),
            new DoubleDataFrameColumn(RelativeStepColumn, rows.Select(r => Cost(r.Name, c => c.StepMs) / referenceStep)),
            new DoubleDataFrameColumn(MemoryColumn, rows.Select(r => Cost(r.Name, c => c.MemoryMiB))));
    }

    /// <summary>The strategies with the reference first (added when missing), in the caller's order after it.</summary>
    private static List<KeyValuePair<string, ILossBalancer>> WithReference(IReadOnlyDictionary<string, ILossBalancer> balancers)
    {
        var reference = balancers.TryGetValue(BalancerLeagueOptions.Reference, out var given) ? given : Balancers.FixedWeights();
        return [new(BalancerLeagueOptions.Reference, reference), .. balancers.Where(b => b.Key != BalancerLeagueOptions.Reference)];
    }

    /// <summary>Median step time and resident-memory rise of one epoch of <see cref="BalancerLeagueOptions.WarmupSteps"/> +
    /// <see cref="BalancerLeagueOptions.TimedSteps"/> steps per strategy, on the experiment's network and data (first seed).</summary>
    private static Dictionary<string, (double StepMs, double MemoryMiB)> MeasureCosts(QuickExperimentOptions experiment, BalancerLeagueOptions options, TextWriter log)
    {
        int steps = options.WarmupSteps + options.TimedSteps;
        var timing = experiment with { TrainSamples = steps * experiment.BatchSize, ValidationSamples = experiment.BatchSize };
        using var data = ExperimentData.Create(timing);
        var arms = QuickExperiment.Prepare(timing, data).Configurations.Skip(1).ToList();
        var training = new TrainingOptions { Epochs = 1, BatchSize = experiment.BatchSize, Optimizer = experiment.Optimizer, Seed = experiment.Seed };
        log.WriteLine($"Timing {arms.Count} strategies: {options.TimedSteps} steps each after {options.WarmupSteps} warm-up steps.");
        // The process's first training pays libtorch's start-up: one untimed run keeps it out of the reference's time.
        Time(arms[0].Builder, data, training, options.WarmupSteps);
        var costs = new Dictionary<string, (double, double)>();
        foreach (var (name, builder) in arms)
        {
            try
            {
                costs[name] = Time(builder, data, training with { RunName = name }, options.WarmupSteps);
            }
            catch (TrainingDivergedException e)
            {
                throw new TrainingDivergedException($"{name} (timing run): {e.Message}");
            }
            log.WriteLine($"  {name,-12} {costs[name].Item1,8:0.0} ms/step  +{costs[name].Item2:0} MiB");
        }
        return costs;
    }

    private static (double StepMs, double MemoryMiB) Time(MultiTaskNetBuilder builder, ExperimentData data, TrainingOptions training, int warmup)
    {
        using var model = builder.Build();
        var stamps = new List<TimeSpan> { TimeSpan.Zero };
        var memory = ResidentMemory.MeasurePeakRiseMiB(() =>
            Trainer.Fit(model, data.Train, data.Validation, training with { Progress = new StepClock(stamps) }));
        var times = stamps.Zip(stamps.Skip(1), (a, b) => (b - a).TotalMilliseconds).Skip(warmup).Order().ToArray();
        return (times.Length == 0 ? double.NaN : times[times.Length / 2], memory);
    }

    /// <summary>Records the elapsed time at every step as it happens (<see cref="Progress{T}"/> would post it later, off the step).</summary>
    private sealed class StepClock(List<TimeSpan> stamps) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => stamps.Add(value.Elapsed);
    }
}
