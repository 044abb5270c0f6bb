using System.CommandLine;
using MtlNotebooks.Analysis;
using MtlNotebooks.Experiments;
using MtlNotebooks.Training;

namespace MtlNotebooks.Cli;

/// <summary><c>run quick</c>: the command line's words for <see cref="QuickExperimentOptions"/>. Names of architectures,
/// backbones, heads, balancers and data sets become the registries' objects here, and option combinations the
/// experiment would reject are reported first, naming the option.</summary>
internal sealed class QuickCommand
{
    private static readonly QuickExperimentOptions Defaults = new();

    /// <summary>The architectures <c>--architecture</c> offers: every registered one but the single-task baselines,
    /// which the experiment always trains as its reference.</summary>
    private static readonly string[] MultiTaskArchitectures =
        Architectures.All.Keys.Where(k => k != QuickExperiment.BaselineName).ToArray();

    private readonly Option<bool> _tiny = new("--tiny") { Description = "A seconds-long smoke run (32x32 images, a few batches, narrow network)." };
    private readonly Option<int?> _epochs = new("--epochs") { Description = $"Training epochs per network (default {Defaults.Epochs})." };
    private readonly Option<int?> _imageSize = new("--image-size") { Description = $"Side of the square synthetic images (default {Defaults.ImageSize})." };
    private readonly Option<int?> _trainSamples = new("--train-samples") { Description = $"Synthetic training scenes (default {Defaults.TrainSamples})." };
    private readonly Option<int?> _valSamples = new("--val-samples") { Description = $"Synthetic validation scenes (default {Defaults.ValidationSamples})." };
    private readonly Option<int?> _batchSize = new("--batch-size") { Description = $"Batch size (default {Defaults.BatchSize})." };
    private readonly Option<int?> _width = new("--width") { Description = $"Backbone width: channels of the first stage (default {Defaults.Width})." };
    private readonly Option<double?> _lr = new("--lr") { Description = $"Learning rate (default {Defaults.Optimizer.LearningRate})." };
    private readonly Option<string> _optimizer = new Option<string>("--optimizer") { Description = "adam or sgd.", DefaultValueFactory = _ => "adam" }.AcceptOnlyFromAmong("adam", "sgd");
    private readonly Option<int> _seed = new("--seed") { Description = "Seed of data, initialisation and data order.", DefaultValueFactory = _ => 0 };
    private readonly Option<string> _device = new("--device") { Description = "cpu or cuda (cuda needs the TorchSharp-cuda-linux build).", DefaultValueFactory = _ => "cpu" };
    private readonly Option<string> _output = new("--output") { Description = "Run folder for report.html, metrics.csv and checkpoints.", DefaultValueFactory = _ => Path.Combine("runs", "quick") };
    private readonly Option<string?> _dataRoot = new("--data-root") { Description = "Root folder of the real data set (layout: data-manifests/*.json; check it with `data verify`)." };

    private readonly Option<string[]> _architectures = new Option<string[]>("--architecture")
    {
        Description = $"Multi-task architecture(s) to compare with the single-task baselines: {string.Join(", ", MultiTaskArchitectures)} (repeatable).",
        DefaultValueFactory = _ => ["hard-sharing"],
        AllowMultipleArgumentsPerToken = true,
    }.AcceptOnlyKeys(MultiTaskArchitectures);

    private readonly Option<string> _dataset = new Option<string>("--dataset")
    {
        Description = "Data set and task set: synthetic (semseg, depth, normals), synthetic-nyud, synthetic-pascal (the real sets' tasks and loss weights on synthetic scenes), nyud or pascal (real data, needs --data-root).",
        DefaultValueFactory = _ => DataSetPresets.Synthetic.Name,
    }.AcceptOnlyKeys(DataSetPresets.All.Select(p => p.Name));

    private readonly Option<string?> _balancer = new Option<string?>("--balancer")
    {
        Description = $"Loss balancer of the multi-task network(s): {string.Join(", ", Balancers.All.Keys)} (default: the data set's weights; the single-task baselines keep them).",
    }.AcceptOnlyKeys(Balancers.All.Keys);

    private readonly Option<string?> _backbone = new Option<string?>("--backbone")
    {
        Description = $"Backbone of every network: {string.Join(", ", Backbones.All.Keys)} (default: SmallResNet of --width).",
    }.AcceptOnlyKeys(Backbones.All.Keys);

    private readonly Option<string?> _head = new Option<string?>("--head")
    {
        Description = $"Head of the single-task and hard-sharing networks: {string.Join(", ", Heads.All.Keys)} (default: conv).",
    }.AcceptOnlyKeys(Heads.All.Keys);

    public static Command Create() => new QuickCommand().Build();

    private Command Build()
    {
        var quick = new Command("quick",
            "Train single-task baselines and a hard-sharing network on synthetic data (semseg, depth, normals); " +
            "print per-task metrics and Δm; write report.html, metrics.csv and checkpoints.")
        {
            _tiny, _dataset, _dataRoot, _architectures, _balancer, _epochs, _imageSize, _trainSamples, _valSamples, _batchSize, _width,
            _lr, _optimizer, _seed, _device, _output, _backbone, _head,
        };
        quick.SetAction(Execute);
        return quick;
    }

    private int Execute(ParseResult parse)
    {
        var options = Read(parse);
        return DataRootProblem(options) is { } problem ? CliError.Report(problem) : RunAndPrint(options);
    }

    private QuickExperimentOptions Read(ParseResult parse)
    {
        var options = parse.GetValue(_tiny) ? QuickExperimentOptions.Tiny : new QuickExperimentOptions();
        return WithChoices(parse, WithSettings(parse, options));
    }

    /// <summary>Numbers, device, folder and optimiser; an absent option keeps the (tiny or full) default.</summary>
    private QuickExperimentOptions WithSettings(ParseResult parse, QuickExperimentOptions options) => options with
    {
        Epochs = parse.GetValue(_epochs) ?? options.Epochs,
        ImageSize = parse.GetValue(_imageSize) ?? options.ImageSize,
        TrainSamples = parse.GetValue(_trainSamples) ?? options.TrainSamples,
        ValidationSamples = parse.GetValue(_valSamples) ?? options.ValidationSamples,
        BatchSize = parse.GetValue(_batchSize) ?? options.BatchSize,
        Width = parse.GetValue(_width) ?? options.Width,
        Seed = parse.GetValue(_seed),
        Device = parse.GetValue(_device)!,
        OutputDirectory = parse.GetValue(_output)!,
        Optimizer = parse.GetValue(_optimizer) == "sgd"
            ? Optimizers.Sgd(parse.GetValue(_lr) ?? 0.05)
            : Optimizers.Adam(parse.GetValue(_lr) ?? options.Optimizer.LearningRate),
    };

    /// <summary>Registry names to the library's objects; the parser has already rejected unknown names.</summary>
    private QuickExperimentOptions WithChoices(ParseResult parse, QuickExperimentOptions options) => options with
    {
        Architectures = parse.GetValue(_architectures)!.Select(ExperimentArm.Registered).ToArray(),
        Dataset = DataSetPresets.Get(parse.GetValue(_dataset)!),
        DataRoot = parse.GetValue(_dataRoot),
        Backbone = parse.GetValue(_backbone) is { } backbone ? Backbones.FromName(backbone) : options.Backbone,
        Head = parse.GetValue(_head) is { } head ? Heads.All[head] : options.Head,
        Balancer = parse.GetValue(_balancer) is { } balancer ? Balancers.FromName(balancer) : null,
    };

    /// <summary>The experiment rejects these combinations too, in the library's words; here they name the option.</summary>
    private static string? DataRootProblem(QuickExperimentOptions options)
    {
        var preset = options.Dataset;
        if (preset.IsSynthetic && options.DataRoot is not null)
            return $"--data-root is for the real data sets ({string.Join(", ", DataSetPresets.All.Where(p => !p.IsSynthetic).Select(p => p.Name))}); '{preset.Name}' is synthetic.";
        if (!preset.IsSynthetic && options.DataRoot is null)
            return $"Data set '{preset.Name}' is read from disk: pass its root folder (--data-root), laid out as data-manifests/{preset.ManifestFile} describes.";
        return null;
    }

    private static int RunAndPrint(QuickExperimentOptions options)
    {
        try
        {
            var started = DateTime.UtcNow;
            var result = QuickExperiment.Run(options, Console.Out, (name, work) => ConsoleProgress.Run(name, work));
            PrintSummary(result, DateTime.UtcNow - started);
            return 0;
        }
        catch (Exception ex) when (ex is ArgumentException or BuildException or TrainingDivergedException or CheckpointException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return CliError.Report(ex.Message);
        }
    }

    private static void PrintSummary(QuickExperimentResult result, TimeSpan elapsed)
    {
        Console.WriteLine();
        Console.WriteLine(DeltaM.ToText(result.DeltaMTable));
        Console.WriteLine();
        Console.WriteLine($"Report:      {result.ReportPath}");
        Console.WriteLine($"Metrics:     {result.MetricsCsvPath}");
        Console.WriteLine($"Δm table:    {result.DeltaMCsvPath}");
        Console.WriteLine($"Checkpoints: {string.Join(", ", result.CheckpointPaths)}");
        Console.WriteLine($"Finished in {elapsed:m\\:ss}.");
    }
}
