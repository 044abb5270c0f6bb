using System.CommandLine;
using MtlNotebooks.Analysis;
using MtlNotebooks.Data.Synthetic;
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
        Architectures.All.Keys.Where(k => k is not (QuickExperiment.BaselineName or "astmt-single-task")).ToArray();

    private readonly Option<bool> _tiny = new("--tiny") { Description = "A seconds-long smoke run (32x32 images, a few batches, narrow network)." };
    private readonly Option<int?> _epochs = new Option<int?>("--epochs") { Description = $"Training epochs per network (default {Defaults.Epochs})." }.AtLeast(1);
    private readonly Option<int?> _imageSize = new Option<int?>("--image-size") { Description = $"Side of the square synthetic images (default {Defaults.ImageSize})." }
        .Between(SyntheticScenes.MinSize, SyntheticScenes.MaxSize);
    private readonly Option<int?> _trainSamples = new Option<int?>("--train-samples") { Description = $"Synthetic training scenes (default {Defaults.TrainSamples})." }.AtLeast(1);
    private readonly Option<int?> _valSamples = new Option<int?>("--val-samples") { Description = $"Synthetic validation scenes (default {Defaults.ValidationSamples})." }.AtLeast(1);
    private readonly Option<int?> _batchSize = new Option<int?>("--batch-size") { Description = $"Batch size (default {Defaults.BatchSize})." }.AtLeast(1);
    private readonly Option<int?> _width = new Option<int?>("--width") { Description = $"Backbone width: channels of the first stage (default {Defaults.Width})." }.AtLeast(1);
    private readonly Option<double?> _lr = new Option<double?>("--lr") { Description = $"Learning rate (default {Defaults.Optimizer.LearningRate})." }.Positive();
    private readonly Option<string> _optimizer = new Option<string>("--optimizer") { Description = "adam or sgd.", DefaultValueFactory = _ => "adam" }.AcceptOnlyFromAmong("adam", "sgd");
    private readonly Option<int> _seed = new("--seed") { Description = "Seed of data, initialisation and data order (the first seed with --seeds).", DefaultValueFactory = _ => 0 };
    private readonly Option<int?> _seeds = new Option<int?>("--seeds")
    {
        Description = $"Train every network with this many seeds (--seed, --seed + 1, …; the data stay those of --seed) and report metrics and Δm as mean ± std over them (default {Defaults.Seeds}).",
    }.AtLeast(1);
    private readonly Option<string> _device = new("--device") { Description = "cpu or cuda (cuda needs the TorchSharp-cuda-linux build).", DefaultValueFactory = _ => "cpu" };
    private readonly Option<string?> _output = new("--output") { Description = "Run folder for report.html, metrics.csv, checkpoints and run.json (default: the next free runs/quick/version_N)." };
    private readonly Option<bool> _resume = new("--resume") { Description = "Continue the interrupted run in --output with the same settings (finished networks are read from their checkpoints)." };
    private readonly Option<bool> _overwrite = new("--overwrite") { Description = "Replace the run in --output (its checkpoints, CSVs and report are deleted first)." };
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

    private readonly Option<string> _memoryFormat = new Option<string>("--memory-format")
    {
        Description = "Layout of the images, which every convolution follows: channels-last (oneDNN's NHWC kernels; the main job 13 % faster on 2 cores) or contiguous (NCHW).",
        DefaultValueFactory = _ => "channels-last",
    }.AcceptOnlyKeys(["channels-last", "contiguous"]);

    private readonly Option<string?> _backbone = new Option<string?>("--backbone")
    {
        Description = $"Backbone of every network: {string.Join(", ", Backbones.All.Keys)} (default: SmallResNet of --width).",
    }.AcceptOnlyKeys(Backbones.All.Keys);

    private readonly Option<double?> _backboneWidth = new Option<double?>("--backbone-width")
    {
        Description = "Width multiplier of --backbone (1: the paper's width, which ImageNet files hold; default: the registry's narrow width, e.g. 0.125 for resnet50).",
    }.Positive();

    private readonly Option<string?> _weights = new("--weights")
    {
        Description = "A state-dict file (.pth, .pth.tar, .safetensors, .dat) every network's backbone starts from, as the papers start " +
                      "from ImageNet: needs --backbone, and a file of that backbone at its width (--backbone-width 1 for the papers' files; mtl weights inspect FILE tells).",
    };

    private readonly Option<string?> _head = new Option<string?>("--head")
    {
        Description = $"Head of the single-task and hard-sharing networks: {string.Join(", ", Heads.All.Keys)} (default: conv).",
    }.AcceptOnlyKeys(Heads.All.Keys);

    private readonly Option<double?> _classByColour = new Option<double?>("--class-by-colour")
    {
        Description = "Share of the synthetic objects (0 to 1) whose colour, not their shape, tells their class: segmentation then needs what depth and normals must ignore (default 0).",
    }.Share();

    private readonly Option<double?> _classByTexture = new Option<double?>("--class-by-texture")
    {
        Description = "Share of the synthetic objects (0 to 1) whose surface pattern, not their shape or colour, tells their class (default 0).",
    }.Share();

    public static Command Create() => new QuickCommand().Build();

    private Command Build()
    {
        var quick = new Command("quick",
            "Train single-task baselines and a hard-sharing network on synthetic data (semseg, depth, normals); " +
            "print per-task metrics and Δm; write report.html, metrics.csv and checkpoints.")
        {
            _tiny, _dataset, _dataRoot, _architectures, _balancer, _epochs, _imageSize, _trainSamples, _valSamples, _batchSize, _width,
            _lr, _optimizer, _seed, _seeds, _device, _output, _resume, _overwrite, _backbone, _backboneWidth, _weights, _head, _memoryFormat,
            _classByColour, _classByTexture,
        };
        quick.SetAction(Execute);
        return quick;
    }

    private int Execute(ParseResult parse)
    {
        var options = Read(parse);
        return (RunFolderProblem(parse) ?? PathProblems.OfFolder("--output", parse.GetValue(_output)) ?? DataRootProblem(options) ?? BackboneWidthProblem(parse) ?? WeightsProblem(parse)) is { } problem
            ? CliError.Report(problem)
            : RunAndPrint(options);
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
        Seeds = parse.GetValue(_seeds) ?? options.Seeds,
        Device = parse.GetValue(_device)!,
        ChannelsLast = parse.GetValue(_memoryFormat) == "channels-last",
        OutputDirectory = parse.GetValue(_output),
        ExistingRun = parse.GetValue(_resume) ? ExistingRun.Resume : parse.GetValue(_overwrite) ? ExistingRun.Overwrite : ExistingRun.Refuse,
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
        Backbone = parse.GetValue(_backbone) is { } backbone ? WithWeights(Chosen(backbone, parse.GetValue(_backboneWidth)), parse.GetValue(_weights)) : options.Backbone,
        Head = parse.GetValue(_head) is { } head ? Heads.All[head] : options.Head,
        Balancer = parse.GetValue(_balancer) is { } balancer ? Balancers.FromName(balancer) : null,
        Scenes = new SceneOptions { ClassByColour = parse.GetValue(_classByColour) ?? 0, ClassByTexture = parse.GetValue(_classByTexture) ?? 0 },
    };

    /// <summary>--resume and --overwrite act on the folder --output names; both at once contradict each other.</summary>
    private string? RunFolderProblem(ParseResult parse)
    {
        bool resume = parse.GetValue(_resume), overwrite = parse.GetValue(_overwrite);
        if (resume && overwrite) return "--resume and --overwrite contradict each other: pass one.";
        if ((resume || overwrite) && parse.GetValue(_output) is null)
            return $"{(resume ? "--resume" : "--overwrite")} acts on an existing run: name its folder with --output.";
        return null;
    }

    private static IBackbone Chosen(string backbone, double? width) =>
        width is { } w && Backbones.WithWidth.Contains(backbone, StringComparer.Ordinal) ? Backbones.FromName(backbone, w) : Backbones.FromName(backbone);

    /// <summary>--backbone-width goes with a backbone that has a width multiplier.</summary>
    private string? BackboneWidthProblem(ParseResult parse)
    {
        if (parse.GetValue(_backboneWidth) is not { } width) return null;
        if (parse.GetValue(_backbone) is not { } backbone) return $"--backbone-width {width}: name the backbone with --backbone ({string.Join(", ", Backbones.WithWidth)}).";
        return Backbones.WithWidth.Contains(backbone, StringComparer.Ordinal) ? null
            : $"--backbone-width: the backbone '{backbone}' has no width multiplier; backbones that have one: {string.Join(", ", Backbones.WithWidth)}.";
    }

    private static IBackbone WithWeights(IBackbone backbone, string? weights) =>
        weights is null ? backbone : backbone.Capability<IPretrainableBackbone>()?.WithWeights(Path.GetFullPath(weights)) ?? backbone;

    /// <summary>--weights goes with a backbone that loads files, and names one that exists.</summary>
    private string? WeightsProblem(ParseResult parse)
    {
        if (parse.GetValue(_weights) is not { } weights) return null;
        var loading = Backbones.All.Where(kv => kv.Value.Capability<IPretrainableBackbone>() is not null).Select(kv => kv.Key).ToArray();
        if (parse.GetValue(_backbone) is not { } backbone)
            return $"--weights {weights}: name the backbone the file is for with --backbone ({string.Join(", ", loading)}).";
        if (!loading.Contains(backbone, StringComparer.Ordinal))
            return $"--weights {weights}: the backbone '{backbone}' starts from random weights only; backbones that load a file: {string.Join(", ", loading)}.";
        if (!File.Exists(weights)) return $"--weights {weights}: no such file.";
        // Loaded once here, so a file that does not fit (or is corrupt or unsafe) is named before a run folder exists.
        try
        {
            using var module = WithWeights(Chosen(backbone, parse.GetValue(_backboneWidth)), weights).Create();
            return null;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or ArgumentException)
        {
            return $"--weights {weights}: {ex.Message}";
        }
    }

    /// <summary>The experiment rejects these combinations too, in the library's words; here they name the option.</summary>
    private static string? DataRootProblem(QuickExperimentOptions options)
    {
        var preset = options.Dataset;
        if (preset.IsSynthetic && options.DataRoot is not null)
            return $"--data-root is for the real data sets ({string.Join(", ", DataSetPresets.All.Where(p => !p.IsSynthetic).Select(p => p.Name))}); '{preset.Name}' is synthetic.";
        if (!preset.IsSynthetic && options.Scenes != SceneOptions.Default)
            return $"--class-by-colour and --class-by-texture change the synthetic scenes; '{preset.Name}' is read from disk.";
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
        catch (ExistingRunException ex)
        {
            return CliError.Report($"--output {ex.Folder} already holds a run: pass --resume to continue it, --overwrite to replace it, or another --output.");
        }
        catch (Exception ex) when (ex is ArgumentException or BuildException or TrainingDivergedException or CheckpointException or IOException or InvalidDataException or UnauthorizedAccessException or NotSupportedException)
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
        if (result.DeltaMPerSeedCsvPath is { } perSeed) Console.WriteLine($"Δm per seed: {perSeed}");
        Console.WriteLine($"Checkpoints: {string.Join(", ", result.CheckpointPaths)}");
        Console.WriteLine($"Finished in {elapsed:m\\:ss}" +
                          (ResidentMemory.IsAvailable ? $"; peak resident memory {ResidentMemory.PeakMiB():0} MiB." : "."));
    }
}
