using MtlNotebooks.Analysis;
using MtlNotebooks.Modules.EncoderFocused;
using MtlNotebooks.Modules.SingleTasking;
using MtlNotebooks.Training;

namespace MtlNotebooks.Experiments;

/// <summary>The main job: single-task baselines vs hard parameter sharing (and other architectures) on a data set preset —
/// by default synthetic scenes with semantic segmentation, depth and surface normals — evaluated with Δm (ASTMT eq. 4, survey eq. 10) and reported as HTML with charts.</summary>
public static class QuickExperiment
{
    /// <summary>The name of the single-task baselines' run: the Δm reference, the first row of the tables and the
    /// checkpoint <c>single-task.ckpt</c>. No <see cref="ExperimentArm"/> may take it.</summary>
    public const string BaselineName = "single-task";

    /// <summary>Runs the experiment. <paramref name="trainWithProgress"/> lets a host show progress around each training
    /// run (the CLI draws a bar); null trains silently.</summary>
    /// <exception cref="ArgumentException">The options do not fit together (e.g. <see cref="QuickExperimentOptions.DataRoot"/>
    /// with a synthetic preset) or an arm is named <see cref="BaselineName"/>.</exception>
    /// <exception cref="BuildException">A configuration cannot be built; raised before anything is trained.</exception>
    public static QuickExperimentResult Run(
        QuickExperimentOptions options,
        TextWriter? log = null,
        Func<string, Func<IProgress<TrainingProgress>, TrainingHistory>, TrainingHistory>? trainWithProgress = null)
    {
        if (options.Seeds < 1)
            throw new ArgumentException($"QuickExperimentOptions.Seeds must be at least 1, got {options.Seeds}.");
        // The folder is taken before any work: a bad path, an existing run or another run there fails in a second.
        using var folder = OpenFolder(options, Path.Combine("runs", "quick"));
        return Run(options with { OutputDirectory = folder.Folder }, folder, log ?? TextWriter.Null, trainWithProgress);
    }

    /// <summary>Takes the options' run folder (or the next free version under <paramref name="root"/>) for a run that writes
    /// the experiment's files and <paramref name="alsoWrites"/>.</summary>
    internal static RunFolder OpenFolder(QuickExperimentOptions options, string root, params string[] alsoWrites)
    {
        var files = OutputFiles(options).Concat(alsoWrites).ToArray();
        if (options.OutputDirectory is { } chosen) return RunFolder.Open(chosen, options.ExistingRun, options.Settings(), files);
        // Runs started together pick the same next version: the one that finds it taken moves on to the one after.
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return RunFolder.Open(RunFolder.NextVersion(root), options.ExistingRun, options.Settings(), files);
            }
            catch (Exception ex) when (ex is RunFolderInUseException or ExistingRunException && attempt < 100)
            {
            }
        }
    }

    /// <summary>Runs the experiment in a folder already taken (the balancer league holds it across its own work too).</summary>
    internal static QuickExperimentResult Run(QuickExperimentOptions options, RunFolder runFolder, TextWriter log,
        Func<string, Func<IProgress<TrainingProgress>, TrainingHistory>, TrainingHistory>? trainWithProgress)
    {
        var folder = runFolder.Folder;
        bool resuming = runFolder.Resuming;
        using var data = ExperimentData.Create(options);
        var (configurations, tasks, backbone, baselineHead) = Prepare(options, data);
        // Refused before the folder is committed (an overwritten run is deleted there), not first in training.
        Trainer.ThrowIfAny(Trainer.Problems(data.Train, TrainingFor(BaselineName, options)).ToList());
        runFolder.Commit();
        log.WriteLine(Describe(options, data, tasks, backbone, baselineHead));
        log.WriteLine(resuming ? $"Resuming the run in {folder}." : $"Run folder: {folder}.");
        var models = new List<MultiTaskModel>();
        try
        {
            var trained = new List<(int Seed, IReadOnlyList<(RunResult Run, string Checkpoint)> Runs)>();
            foreach (var seed in options.SeedList())
            {
                var (baselineName, baselineBuilder) = configurations[0];
                var baseline = baselineBuilder.WithSeed(seed).Build();
                try
                {
                    var runs = new List<(RunResult Run, string Checkpoint)> { Train(baselineName, seed, baseline, data, options, resuming, log, trainWithProgress) };
                    foreach (var (name, builder) in configurations.Skip(1))
                        runs.Add(TrainSeed(name, AfterBaselines(name, builder.WithSeed(seed), baseline, data, log), seed, models, data, options, resuming, log, trainWithProgress));
                    trained.Add((seed, runs));
                }
                finally
                {
                    // The first seed's baselines stay for the report (its predictions); the others' go once the arms are trained.
                    if (seed == options.Seed) models.Insert(0, baseline);
                    else baseline.Dispose();
                }
            }
            return WriteOutputs(options, trained, models, data);
        }
        finally
        {
            foreach (var model in models) model.Dispose();
        }
    }

    /// <summary>The builders of the baselines and of every arm (validated), with the tasks, backbone and baseline head they share.</summary>
    internal static ((string Name, MultiTaskNetBuilder Builder)[] Configurations, IDenseTask[] Tasks, IBackbone Backbone, IHead BaselineHead) Prepare(
        QuickExperimentOptions options, ExperimentData data)
    {
        var tasks = TrainedTasks(options.Dataset, data);
        var backbone = options.Backbone
                       ?? options.Architectures.Select(a => (a.Architecture as IPreferredBackbone)?.DefaultBackbone(options.Width, data.ImageSize.Height, data.ImageSize.Width)).FirstOrDefault(b => b is not null)
                       ?? Backbones.SmallResNet(options.Width);
        var baselineHead = options.Head ?? Heads.Conv();
        return (Configurations(options, CommonBuilder(options, backbone, tasks), baselineHead), tasks, backbone, baselineHead);
    }

    /// <summary>Trains one configuration with one seed. The first seed's models are kept (and disposed by the caller):
    /// the report draws their predictions; the other seeds' are disposed once trained.</summary>
    private static (RunResult Run, string Checkpoint) TrainSeed(string name, MultiTaskNetBuilder builder, int seed, List<MultiTaskModel> models,
        ExperimentData data, QuickExperimentOptions options, bool resuming, TextWriter log,
        Func<string, Func<IProgress<TrainingProgress>, TrainingHistory>, TrainingHistory>? trainWithProgress)
    {
        if (seed == options.Seed) return Train(name, seed, Build(builder, models), data, options, resuming, log, trainWithProgress);
        using var model = builder.Build();
        return Train(name, seed, model, data, options, resuming, log, trainWithProgress);
    }

    /// <summary>An arm whose structure depends on the trained baselines (<see cref="INeedsTrainedBaselines"/>: a branched
    /// network's tree) gets it here, before it is built; the others pass unchanged. Deterministic given the baselines' weights and the
    /// validation images, so a resumed run derives the same network again.</summary>
    private static MultiTaskNetBuilder AfterBaselines(string name, MultiTaskNetBuilder builder, MultiTaskModel baseline, ExperimentData data, TextWriter log)
    {
        if (builder.Architecture is not INeedsTrainedBaselines needs) return builder;
        using var probe = data.Validation.GetBatch(Enumerable.Range(0, Math.Min(data.Validation.Count, 64)).ToArray());
        var architecture = needs.AfterBaselines(baseline.Network, probe.Images);
        if (ReferenceEquals(architecture, builder.Architecture)) return builder;
        log.WriteLine($"  {name}: {architecture.Name}");
        var derived = builder.UseArchitecture(architecture);
        derived.Plan().ThrowIfInvalid();
        return derived;
    }

    /// <summary>A real data set trains the preset's tasks whose labels this version decodes (<see cref="ExperimentData"/>
    /// names the others); a synthetic one trains them all.</summary>
    private static IDenseTask[] TrainedTasks(DataSetPreset preset, ExperimentData data) =>
        preset.Tasks.Where(t => data.Train.Tasks.Contains(t.Name)).ToArray();

    /// <summary>Backbone, tasks, seed and device shared by every network, and the preset's loss weights.</summary>
    private static MultiTaskNetBuilder CommonBuilder(QuickExperimentOptions options, IBackbone backbone, IReadOnlyList<IDenseTask> tasks)
    {
        var builder = tasks.Aggregate(
            MultiTaskNet.CreateBuilder()
                .UseBackbone(backbone)
                .WithSeed(options.Seed)
                .WithDevice(options.Device)
                .WithChannelsLast(options.ChannelsLast),
            (b, t) => b.AddTask(t));
        // The papers' per-task loss weights of the preset (ASTMT appendix, MTI-Net); the default preset has none.
        var preset = options.Dataset;
        return preset.Weights.Count > 0
            ? builder.UseBalancer(Balancers.FixedWeights(preset.LossWeights.Where(w => tasks.Any(t => t.Name == w.Task)).ToArray()))
            : builder;
    }

    /// <summary>The single-task baselines first (Δm of every other network is measured against them), then one
    /// configuration per arm with its own balancer (or the options') and the options' head; all validated before anything is trained, so a wrong
    /// combination fails in a second, not after minutes.</summary>
    private static (string Name, MultiTaskNetBuilder Builder)[] Configurations(QuickExperimentOptions options, MultiTaskNetBuilder common, IHead baselineHead)
    {
        ThrowIfArmNamesClash(options.Architectures);
        var multiTask = options.Balancer is null ? common : common.UseBalancer(options.Balancer);
        var configurations = options.Architectures
            .Select(arm => (arm.Name, (arm.Balancer is null ? multiTask : common.UseBalancer(arm.Balancer)).UseArchitecture(WithHead(arm.Architecture, options.Head))))
            .Prepend((BaselineName, common.UseArchitecture(Baseline(options.Architectures, baselineHead))))
            .ToArray();
        foreach (var (_, builder) in configurations) builder.Plan().ThrowIfInvalid();
        return configurations;
    }

    /// <summary>The arms' own single-task baseline (<see cref="IOwnSingleTaskBaseline"/>, e.g. ASTMT's networks
    /// trained per task), or backbone + head per task; arms that need different baselines cannot share one Δm table.</summary>
    private static IArchitecture Baseline(IReadOnlyList<ExperimentArm> arms, IHead head)
    {
        var own = arms.Select(a => (a.Name, Baseline: (a.Architecture as IOwnSingleTaskBaseline)?.SingleTaskBaseline)).ToArray();
        if (own.All(a => a.Baseline is null)) return Architectures.SingleTask(head);
        if (own.All(a => a.Baseline is not null && a.Baseline.Equals(own[0].Baseline))) return own[0].Baseline!;
        throw new ArgumentException("QuickExperimentOptions.Architectures: Δm of these arms is measured against different single-task " +
                                    "baselines (" + string.Join("; ", own.Select(a => $"{a.Name}: {a.Baseline?.Name ?? "backbone + head per task"}")) +
                                    "). Compare them in separate experiments.");
    }

    private static IArchitecture WithHead(IArchitecture architecture, IHead? head) =>
        head is not null && architecture is IHeadedArchitecture headed ? headed.WithHead(head) : architecture;

    /// <summary>Names label checkpoints and table rows: an arm named like the baselines, or two arms of one name (or of
    /// names that differ only in case), would write over each other.</summary>
    private static void ThrowIfArmNamesClash(IEnumerable<ExperimentArm> arms)
    {
        if (arms.FirstOrDefault(a => a.Name == BaselineName) is { } arm)
            throw new ArgumentException($"QuickExperimentOptions.Architectures: '{BaselineName}' is the name of the single-task baselines; " +
                                        $"give the {arm.Architecture.Name} arm another name.");
        foreach (var twins in arms.GroupBy(a => a.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            throw new ArgumentException($"QuickExperimentOptions.Architectures: {twins.Count()} arms are named '{twins.Key}'; each needs its own name (it names the checkpoint).");
    }

    private static string Describe(QuickExperimentOptions options, ExperimentData data, IReadOnlyList<IDenseTask> tasks, IBackbone backbone, IHead head) =>
        $"{data.Description}: {data.Train.Count} train / {data.Validation.Count} validation, {data.Train.Height}x{data.Train.Width}; " +
        $"tasks {string.Join(", ", tasks.Select(t => t.Name))}; backbone {backbone.Name}, head {head.Name}; {options.Epochs} epochs, batch {options.BatchSize}, {options.Optimizer.Name}.";

    /// <summary>Builds a model and hands it to <paramref name="models"/>, which disposes it even when training fails.</summary>
    private static MultiTaskModel Build(MultiTaskNetBuilder builder, List<MultiTaskModel> models)
    {
        var model = builder.Build();
        models.Add(model);
        return model;
    }

    /// <summary>How every network of the experiment trains (checkpoints aside), with the first seed unless another is given.</summary>
    private static TrainingOptions TrainingFor(string name, QuickExperimentOptions options, int? seed = null) => new()
    {
        RunName = options.Seeds == 1 ? name : $"{name}, seed {seed ?? options.Seed}",
        Epochs = options.Epochs,
        BatchSize = options.BatchSize,
        Optimizer = options.Optimizer,
        Seed = seed ?? options.Seed,
    };

    /// <summary>The checkpoint of one network: <c>Name.ckpt</c>, or <c>Name.seedN.ckpt</c> when the run has several seeds.</summary>
    private static string CheckpointPath(string name, int seed, QuickExperimentOptions options) =>
        Path.Combine(options.OutputDirectory!, CheckpointName(name, seed, options));

    private static string CheckpointName(string name, int seed, QuickExperimentOptions options) =>
        options.Seeds == 1 ? $"{name}.ckpt" : $"{name}.seed{seed}.ckpt";

    /// <summary>Every file the experiment writes in its folder (<see cref="WriteOutputs"/>, <see cref="Train"/>): what
    /// run.json lists and an overwrite may delete.</summary>
    internal static IEnumerable<string> OutputFiles(QuickExperimentOptions options) =>
        options.Architectures.Select(a => a.Name).Prepend(BaselineName)
            .SelectMany(name => options.SeedList().Select(seed => CheckpointName(name, seed, options)))
            .Concat(options.Seeds > 1 ? ["metrics.csv", "delta_m.csv", "delta_m_per_seed.csv", "report.html"] : ["metrics.csv", "delta_m.csv", "report.html"]);

    /// <summary>Trains one network with one seed, checkpointing to <see cref="CheckpointPath"/> in the output folder after every epoch, and logs its
    /// final metrics. When resuming, a checkpoint there continues (or, if complete, only replays) that network's run:
    /// data order and schedule depend only on (seed, epoch), so the result equals an uninterrupted run's.</summary>
    private static (RunResult Run, string Checkpoint) Train(string name, int seed, MultiTaskModel model, ExperimentData data, QuickExperimentOptions options,
        bool resuming, TextWriter log, Func<string, Func<IProgress<TrainingProgress>, TrainingHistory>, TrainingHistory>? trainWithProgress)
    {
        var checkpoint = CheckpointPath(name, seed, options);
        var training = TrainingFor(name, options, seed) with
        {
            CheckpointPath = checkpoint,
            ResumeFrom = resuming && File.Exists(checkpoint) ? checkpoint : null,
        };
        TrainingHistory Fit(IProgress<TrainingProgress>? progress)
        {
            try
            {
                return Trainer.Fit(model, data.Train, data.Validation, training with { Progress = progress });
            }
            catch (TrainingDivergedException e)
            {
                throw new TrainingDivergedException($"{training.RunName} ({model.Plan.Balancer.Name}): {e.Message}");
            }
        }
        var history = trainWithProgress is null ? Fit(null) : trainWithProgress($"{training.RunName} ({model.Network.ParameterCount():N0} parameters)", p => Fit(p));
        log.WriteLine($"  {training.RunName}: {history.Elapsed.TotalSeconds:0.0} s, {FormatMetrics(history.Final)}");
        foreach (var warning in history.Warnings) log.WriteLine($"  warning: {warning}");
        return (new RunResult(name, model.Plan.Architecture.Name, model.Plan.Balancer.Name, history, model.Network.ParameterCount()), checkpoint);
    }

    /// <summary>Writes metrics.csv, delta_m.csv and report.html to the output folder; with several seeds metrics.csv has a
    /// "seed" column, delta_m.csv is the table over seeds (<see cref="DeltaM.SeedTable"/>) and delta_m_per_seed.csv
    /// holds each seed's own Δm table.</summary>
    private static QuickExperimentResult WriteOutputs(QuickExperimentOptions options,
        IReadOnlyList<(int Seed, IReadOnlyList<(RunResult Run, string Checkpoint)> Runs)> trained, IReadOnlyList<MultiTaskModel> models, ExperimentData data)
    {
        var seeded = new SeededRuns(trained.Select(t => (t.Seed, (IReadOnlyList<RunResult>)t.Runs.Select(r => r.Run).ToList())));
        var runs = seeded.Runs[0];
        bool several = options.Seeds > 1;
        var table = several ? seeded.DeltaMTable() : DeltaM.Table(runs[0], runs.Skip(1));
        var folder = options.OutputDirectory!;
        var metricsCsv = Path.Combine(folder, "metrics.csv");
        var deltaMCsv = Path.Combine(folder, "delta_m.csv");
        string? perSeedCsv = several ? Path.Combine(folder, "delta_m_per_seed.csv") : null;
        if (several) ResultsCsv.WriteMetrics(metricsCsv, seeded);
        else ResultsCsv.WriteMetrics(metricsCsv, runs);
        ResultsCsv.WriteDeltaM(deltaMCsv, table);
        if (perSeedCsv is not null) ResultsCsv.WriteDeltaM(perSeedCsv, seeded.PerSeedDeltaMTable());
        var reportPath = Path.Combine(folder, "report.html");
        QuickReport.Write(reportPath, options, seeded, table, models, data);
        return new QuickExperimentResult(runs, table, folder, reportPath, metricsCsv, deltaMCsv,
            trained.SelectMany(t => t.Runs.Select(r => r.Checkpoint)).ToList(), seeded, perSeedCsv);
    }

    private static string FormatMetrics(EvaluationRecord evaluation) =>
        string.Join(", ", evaluation.Metrics.Where(m => m.IsPrimary).Select(m => $"{m.Task} {m.Metric} {m.Value:0.###}"));
}
