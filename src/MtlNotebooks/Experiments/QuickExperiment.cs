using Microsoft.Data.Analysis;
using MtlNotebooks.Analysis;
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

    /// <summary>Validation scenes shown in the report's prediction grid.</summary>
    public int PreviewSamples { get; init; } = 4;

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

/// <summary>The main job: single-task baselines vs hard parameter sharing on synthetic scenes with semantic segmentation,
/// depth and surface normals, evaluated with Δm (ASTMT eq. 4, survey eq. 10) and reported as HTML with charts.</summary>
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
        using var data = SyntheticData.Create(options);
        var tasks = new IDenseTask[] { DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount), DenseTasks.Depth(), DenseTasks.SurfaceNormals() };
        var builder = tasks.Aggregate(
            MultiTaskNet.CreateBuilder()
                .UseBackbone(Backbones.SmallResNet(options.Width))
                .WithSeed(options.Seed)
                .WithDevice(options.Device),
            (b, t) => b.AddTask(t));

        // The single-task baselines first: Δm of every other architecture is measured against them.
        var configurations = new[] { ("single-task", builder.UseArchitecture(Architectures.SingleTask())) }
            .Concat(options.Architectures.Select(name => (name, builder.UseArchitecture(ArchitectureNamed(name)))))
            .ToArray();
        // Validate every configuration before training anything: a typo fails in a second, not after minutes.
        foreach (var (_, b) in configurations) b.Plan().ThrowIfInvalid();

        log.WriteLine($"Synthetic scenes: {options.TrainSamples} train / {options.ValidationSamples} validation, {options.ImageSize}x{options.ImageSize}; " +
                      $"tasks {string.Join(", ", tasks.Select(t => t.Name))}; {options.Epochs} epochs, batch {options.BatchSize}, {options.Optimizer.Name}.");
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

    private static string FormatMetrics(Training.EvaluationRecord evaluation) =>
        string.Join(", ", evaluation.Metrics.Where(m => m.IsPrimary).Select(m => $"{m.Task} {m.Metric} {m.Value:0.###}"));
}

/// <summary>Train and validation splits of the synthetic scenes for an experiment.</summary>
internal sealed class SyntheticData : IDisposable
{
    private SyntheticData(SyntheticDataset train, SyntheticDataset validation) => (Train, Validation) = (train, validation);

    public SyntheticDataset Train { get; }
    public SyntheticDataset Validation { get; }

    public static SyntheticData Create(QuickExperimentOptions options)
    {
        var (train, validation) = SyntheticDataset.CreateSplits(options.TrainSamples, options.ValidationSamples, options.ImageSize, options.ImageSize, options.Seed);
        return new SyntheticData(train, validation);
    }

    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
    }
}
