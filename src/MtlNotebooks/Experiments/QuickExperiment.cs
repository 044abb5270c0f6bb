using Microsoft.Data.Analysis;
using MtlNotebooks.Analysis;
using MtlNotebooks.Data;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Training;

namespace MtlNotebooks.Experiments;

/// <summary>Settings of the quick experiment. The defaults finish in about three minutes on a 2-core CPU; raise
/// image size, samples, epochs and width to scale up.</summary>
public sealed record QuickExperimentOptions
{
    public int ImageSize { get; init; } = 64;
    public int TrainSamples { get; init; } = 512;
    public int ValidationSamples { get; init; } = 128;
    public int Epochs { get; init; } = 15;
    public int BatchSize { get; init; } = 16;
    public int Width { get; init; } = 16;
    public int Seed { get; init; }
    public string Device { get; init; } = "cpu";
    public IOptimizerSpec Optimizer { get; init; } = Optimizers.Adam(learningRate: 2e-3);
    public string OutputDirectory { get; init; } = Path.Combine("runs", "quick");

    /// <summary>Multi-task architectures compared with the single-task baselines (names of <see cref="MtlNotebooks.Architectures.All"/>).</summary>
    public IReadOnlyList<string> Architectures { get; init; } = ["hard-sharing"];

    /// <summary>The data set and task set (<see cref="DataSetPresets"/>): "synthetic" (semseg, depth, normals; the default),
    /// "synthetic-nyud", "synthetic-pascal", or the real "nyud" / "pascal" read from <see cref="DataRoot"/>. A preset with
    /// loss weights trains with them (<see cref="DataSetPreset.Balancer"/>).</summary>
    public string Dataset { get; init; } = "synthetic";

    /// <summary>Root folder of a real data set in its reference layout (data-manifests/*.json); real sets are loaded at
    /// <see cref="ImageSize"/> rows (columns by the data set's aspect), the first <see cref="TrainSamples"/> /
    /// <see cref="ValidationSamples"/> ids of train / val.</summary>
    public string? DataRoot { get; init; }

    /// <summary>A backbone of <see cref="Backbones.All"/> by name (narrow variants that train on a CPU); null uses
    /// <see cref="Backbones.SmallResNet"/> of <see cref="Width"/>.</summary>
    public string? Backbone { get; init; }

    /// <summary>A head of <see cref="Heads.All"/> by name for the single-task and hard-sharing networks (the decoder-focused
    /// architectures bring their own); null uses <see cref="Heads.Conv"/>.</summary>
    public string? Head { get; init; }

    /// <summary>Validation scenes shown in the report's prediction grid.</summary>
    public int PreviewSamples { get; init; } = 4;

    /// <summary>The loss balancer of the multi-task networks (<see cref="Balancers.All"/>); null keeps the preset's weights
    /// (uniform by default). The single-task baselines keep the preset's weights: nothing is shared there to balance.</summary>
    public ILossBalancer? Balancer { get; init; }

    /// <summary>A seconds-long smoke configuration with the same code paths.</summary>
    public static QuickExperimentOptions Tiny => new()
    {
        ImageSize = 32, TrainSamples = 32, ValidationSamples = 16, Epochs = 1, BatchSize = 8, Width = 8, PreviewSamples = 2,
    };
}

/// <summary>What the quick experiment produced: the runs, the Δm table and the files written.</summary>
public sealed record QuickExperimentResult(
    IReadOnlyList<RunResult> Runs,
    DataFrame DeltaMTable,
    string OutputDirectory,
    string ReportPath,
    string MetricsCsvPath,
    string DeltaMCsvPath,
    IReadOnlyList<string> CheckpointPaths);

/// <summary>The main job: single-task baselines vs hard parameter sharing (and other architectures) on a data set preset —
/// by default synthetic scenes with semantic segmentation, depth and surface normals — evaluated with Δm (ASTMT eq. 4, survey eq. 10) and reported as HTML with charts.</summary>
public static class QuickExperiment
{
    /// <summary>Runs the experiment. <paramref name="trainWithProgress"/> lets a host show progress around each training
    /// run (the CLI draws a bar); null trains silently.</summary>
    public static QuickExperimentResult Run(
        QuickExperimentOptions options,
        TextWriter? log = null,
        Func<string, Func<IProgress<TrainingProgress>, TrainingHistory>, TrainingHistory>? trainWithProgress = null)
    {
        log ??= TextWriter.Null;
        Directory.CreateDirectory(options.OutputDirectory);
        var preset = DataSetPresets.Get(options.Dataset);
        using var data = ExperimentData.Create(options, preset);
        // A real data set trains the preset's tasks whose labels this version decodes (ExperimentData names the others).
        var tasks = preset.Tasks.Where(t => data.Train.Tasks.Contains(t.Name)).ToArray();
        var backbone = options.Backbone is null ? Backbones.SmallResNet(options.Width) : Backbones.FromName(options.Backbone);
        var builder = tasks.Aggregate(
            MultiTaskNet.CreateBuilder()
                .UseBackbone(backbone)
                .WithSeed(options.Seed)
                .WithDevice(options.Device),
            (b, t) => b.AddTask(t));
        // The papers' per-task loss weights of the preset (ASTMT appendix, MTI-Net); the default preset has none.
        if (preset.Weights.Count > 0)
            builder = builder.UseBalancer(Balancers.Fixed(preset.LossWeights.Where(w => tasks.Any(t => t.Name == w.Task)).ToArray()));

        // The single-task baselines first: Δm of every other architecture is measured against them.
        var head = options.Head is null ? Heads.Conv() : HeadNamed(options.Head);
        var configurations = new[] { ("single-task", builder.UseArchitecture(Architectures.SingleTask(head))) }
            .Concat(options.Architectures.Select(name => (name, (options.Balancer is null ? builder : builder.UseBalancer(options.Balancer))
                .UseArchitecture(name == "hard-sharing" ? Architectures.HardSharing(head) : ArchitectureNamed(name)))))
            .ToArray();
        // Validate every configuration before training anything: a typo fails in a second, not after minutes.
        foreach (var (_, b) in configurations) b.Plan().ThrowIfInvalid();

        log.WriteLine($"{data.Description}: {data.Train.Count} train / {data.Validation.Count} validation, {data.Train.Height}x{data.Train.Width}; " +
                      $"tasks {string.Join(", ", tasks.Select(t => t.Name))}; backbone {backbone.Name}, head {head.Name}; {options.Epochs} epochs, batch {options.BatchSize}, {options.Optimizer.Name}.");
        var runs = new List<RunResult>();
        var checkpoints = new List<string>();
        var models = new List<MultiTaskModel>();
        try
        {
            foreach (var (name, b) in configurations)
            {
                var model = b.Build();
                models.Add(model);
                var checkpoint = Path.Combine(options.OutputDirectory, $"{name}.ckpt");
                var training = new TrainingOptions
                {
                    RunName = name,
                    Epochs = options.Epochs,
                    BatchSize = options.BatchSize,
                    Optimizer = options.Optimizer,
                    Seed = options.Seed,
                    CheckpointPath = checkpoint,
                };
                TrainingHistory Train(IProgress<TrainingProgress>? progress) =>
                    Trainer.Fit(model, data.Train, data.Validation, training with { Progress = progress });
                var history = trainWithProgress is null ? Train(null) : trainWithProgress($"{name} ({model.Network.ParameterCount():N0} parameters)", p => Train(p));
                runs.Add(new RunResult(name, model.Plan.Architecture.Name, model.Plan.Balancer.Name, history, model.Network.ParameterCount()));
                checkpoints.Add(checkpoint);
                log.WriteLine($"  {name}: {history.Elapsed.TotalSeconds:0.0} s, {FormatMetrics(history.Final)}");
            }

            var table = DeltaM.Table(runs[0], runs.Skip(1));
            var metricsCsv = Path.Combine(options.OutputDirectory, "metrics.csv");
            var deltaMCsv = Path.Combine(options.OutputDirectory, "delta_m.csv");
            ResultsCsv.WriteMetrics(metricsCsv, runs);
            ResultsCsv.WriteDeltaM(deltaMCsv, table);
            var reportPath = Path.Combine(options.OutputDirectory, "report.html");
            QuickReport.Write(reportPath, options, runs, table, models, data);
            return new QuickExperimentResult(runs, table, options.OutputDirectory, reportPath, metricsCsv, deltaMCsv, checkpoints);
        }
        finally
        {
            foreach (var model in models) model.Dispose();
        }
    }

    private static IArchitecture ArchitectureNamed(string name) =>
        MtlNotebooks.Architectures.All.TryGetValue(name, out var architecture) && name != "single-task"
            ? architecture
            : throw new ArgumentException($"Unknown architecture '{name}'; choose from {string.Join(", ", MtlNotebooks.Architectures.All.Keys.Where(k => k != "single-task"))}.");

    private static IHead HeadNamed(string name) =>
        Heads.All.TryGetValue(name, out var head)
            ? head
            : throw new ArgumentException($"Unknown head '{name}'; choose from {string.Join(", ", Heads.All.Keys)}.");

    private static string FormatMetrics(EvaluationRecord evaluation) =>
        string.Join(", ", evaluation.Metrics.Where(m => m.IsPrimary).Select(m => $"{m.Task} {m.Metric} {m.Value:0.###}"));
}

/// <summary>Train and validation splits for an experiment: synthetic scenes, or a real data set from its folder.</summary>
internal sealed class ExperimentData : IDisposable
{
    private ExperimentData(IMultiTaskDataset train, IMultiTaskDataset validation, string description) =>
        (Train, Validation, Description) = (train, validation, description);

    public IMultiTaskDataset Train { get; }
    public IMultiTaskDataset Validation { get; }
    public string Description { get; }

    public static ExperimentData Create(QuickExperimentOptions options, DataSetPreset preset)
    {
        if (preset.IsSynthetic)
        {
            if (options.DataRoot is not null)
                throw new ArgumentException($"--data-root is for the real data sets (nyud, pascal); '{preset.Name}' is synthetic.");
            var (train, validation) = SyntheticDataset.CreateSplits(options.TrainSamples, options.ValidationSamples, options.ImageSize, options.ImageSize, options.Seed);
            return new ExperimentData(train, validation, preset.Description);
        }
        if (options.DataRoot is null)
            throw new ArgumentException($"Data set '{preset.Name}' is read from disk: pass its root folder (--data-root), laid out as data-manifests/{preset.ManifestFile} describes.");
        var manifest = DataManifest.ForDataSet(preset.Name);
        int height = options.ImageSize, width = (int)Math.Round((double)options.ImageSize * preset.Width / preset.Height);
        var decoded = preset.TaskNames.Where(n => manifest.Task(n).IsSupported).ToList();
        var skipped = preset.TaskNames.Except(decoded).ToList();
        var loader = new LoaderOptions { Height = height, Width = width, Seed = options.Seed, Tasks = decoded };
        return new ExperimentData(
            ManifestDataset.Open(manifest, options.DataRoot, "train", loader with { Augment = true, Limit = options.TrainSamples }),
            ManifestDataset.Open(manifest, options.DataRoot, "val", loader with { Limit = options.ValidationSamples }),
            $"{manifest.Name} from {options.DataRoot}" + (skipped.Count == 0 ? "" : $" (not trained: {string.Join(", ", skipped)}, stored in a format this version does not decode)"));
    }

    public void Dispose()
    {
        (Train as IDisposable)?.Dispose();
        (Validation as IDisposable)?.Dispose();
    }
}
