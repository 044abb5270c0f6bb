using System.CommandLine;
using System.Globalization;
using MtlNotebooks.Analysis;
using MtlNotebooks.Data;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Experiments;
using MtlNotebooks.Training;

namespace MtlNotebooks.Cli;

/// <summary><c>bench-balancers</c>: the per-step cost of every loss balancer relative to fixed weights on the quick run's
/// hard-sharing model; with <c>--delta-m</c> the balancer league (<see cref="BalancerLeague"/>): every balancer trained
/// over several seeds, Δm mean ± std, paired t-tests, step time and memory. A benchmark, not a test: it asserts nothing.</summary>
internal sealed class BalancerBenchCommand
{
    private static readonly QuickExperimentOptions QuickRun = new();
    private static readonly QuickExperimentOptions League = BalancerLeagueOptions.DefaultExperiment;

    private readonly Option<int> _steps = new Option<int>("--steps") { Description = "Timed training steps per balancer (after 3 warm-up steps).", DefaultValueFactory = _ => 20 }.AtLeast(1);
    private readonly Option<int?> _imageSize = new Option<int?>("--image-size") { Description = $"Image side (default {QuickRun.ImageSize}, with --delta-m {League.ImageSize})." }.Between(SyntheticScenes.MinSize, SyntheticScenes.MaxSize);
    private readonly Option<int?> _batchSize = new Option<int?>("--batch-size") { Description = $"Batch size (default {QuickRun.BatchSize}, with --delta-m {League.BatchSize})." }.AtLeast(1);
    private readonly Option<int?> _width = new Option<int?>("--width") { Description = $"Backbone width (default {QuickRun.Width}, with --delta-m {League.Width})." }.AtLeast(1);
    private readonly Option<string[]> _names = new Option<string[]>("--balancer")
    {
        Description = $"Balancers to measure (repeatable; default all): {string.Join(", ", Balancers.All.Keys)}.",
        AllowMultipleArgumentsPerToken = true,
    }.AcceptOnlyKeys(Balancers.All.Keys);
    private readonly Option<bool> _deltaM = new("--delta-m") { Description = "The league: train every balancer over --seeds seeds and report Δm mean ± std, paired t-tests against uniform weights, step time and memory." };
    private readonly Option<int> _seeds = new Option<int>("--seeds") { Description = "Seeds of the --delta-m runs.", DefaultValueFactory = _ => League.Seeds }.AtLeast(1);
    private readonly Option<int> _epochs = new Option<int>("--epochs") { Description = "Epochs of the --delta-m runs.", DefaultValueFactory = _ => League.Epochs }.AtLeast(1);
    private readonly Option<int> _trainSamples = new Option<int>("--train-samples") { Description = "Training scenes of the --delta-m runs.", DefaultValueFactory = _ => League.TrainSamples }.AtLeast(1);
    private readonly Option<int> _valSamples = new Option<int>("--val-samples") { Description = "Validation scenes of the --delta-m runs.", DefaultValueFactory = _ => League.ValidationSamples }.AtLeast(1);
    private readonly Option<string?> _output = new("--output") { Description = "Run folder of the --delta-m runs (default: the next free runs/balancer-league/version_N)." };
    private readonly Option<bool> _resume = new("--resume") { Description = "Continue the --delta-m run in --output with the same settings." };
    private readonly Option<string?> _csv = new("--csv") { Description = "Also write the table to this CSV file." };
    private readonly Option<int?> _threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: libtorch's choice)." }.AtLeast(1);

    public static Command Create() => new BalancerBenchCommand().Build();

    private Command Build()
    {
        var command = new Command("bench-balancers", "Per-step time of each loss balancer relative to fixed weights; with --delta-m, the league: Δm of each over seeds.")
        {
            _steps, _imageSize, _batchSize, _width, _names, _deltaM, _seeds, _epochs, _trainSamples, _valSamples, _output, _resume, _csv, _threads,
        };
        command.SetAction(Execute);
        return command;
    }

    private int Execute(ParseResult parse)
    {
        if (parse.GetValue(_threads) is int count) TorchSharp.torch.set_num_threads(count);
        var selected = parse.GetValue(_names) is { Length: > 0 } n ? n : Balancers.All.Keys.ToArray();
        if (parse.GetValue(_resume) && parse.GetValue(_output) is null)
            return CliError.Report("--resume acts on an existing league: name its folder with --output.");
        // Paths are checked before the timing pass and the training, which take minutes.
        if ((PathProblems.OfFile("--csv", parse.GetValue(_csv)) ?? PathProblems.OfFolder("--output", parse.GetValue(_output))) is { } problem)
            return CliError.Report(problem);
        return parse.GetValue(_deltaM) ? RunLeague(parse, selected) : CliError.ReportingFileErrors(() => TimeOnly(parse, selected));
    }

    private int RunLeague(ParseResult parse, IReadOnlyList<string> selected)
    {
        var options = new BalancerLeagueOptions
        {
            Balancers = selected.ToDictionary(name => name, name => Balancers.All[name]),
            TimedSteps = parse.GetValue(_steps),
            Experiment = League with
            {
                ImageSize = parse.GetValue(_imageSize) ?? League.ImageSize,
                BatchSize = parse.GetValue(_batchSize) ?? League.BatchSize,
                Width = parse.GetValue(_width) ?? League.Width,
                Seeds = parse.GetValue(_seeds),
                Epochs = parse.GetValue(_epochs),
                TrainSamples = parse.GetValue(_trainSamples),
                ValidationSamples = parse.GetValue(_valSamples),
                OutputDirectory = parse.GetValue(_output),
                ExistingRun = parse.GetValue(_resume) ? ExistingRun.Resume : ExistingRun.Refuse,
            },
        };
        try
        {
            var started = DateTime.UtcNow;
            var league = BalancerLeague.Run(options, Console.Out, (name, work) => ConsoleProgress.Run(name, work));
            Console.WriteLine();
            Console.WriteLine(DeltaM.ToText(league.Table));
            Console.WriteLine();
            Console.WriteLine($"Within noise of the best (paired t-test, p ≥ {options.Significance}): {string.Join(", ", league.WithinNoiseOfBest)}");
            Console.WriteLine($"League:  {league.CsvPath}");
            Console.WriteLine($"Report:  {league.ReportPath}");
            Console.WriteLine($"Finished in {DateTime.UtcNow - started:h\\:mm\\:ss}.");
            if (parse.GetValue(_csv) is { } path) ResultsCsv.WriteDeltaM(path, league.Table);
            return 0;
        }
        catch (ExistingRunException ex)
        {
            return CliError.Report($"--output {ex.Folder} already holds a run: pass --resume to continue it, or another --output.");
        }
        catch (Exception ex) when (ex is ArgumentException or BuildException or TrainingDivergedException or CheckpointException or IOException or UnauthorizedAccessException)
        {
            return CliError.Report(ex.Message);
        }
    }

    private int TimeOnly(ParseResult parse, IReadOnlyList<string> selected)
    {
        if (!selected.Contains(BalancerLeagueOptions.Reference)) selected = [BalancerLeagueOptions.Reference, .. selected];
        int timed = parse.GetValue(_steps), size = parse.GetValue(_imageSize) ?? QuickRun.ImageSize,
            batch = parse.GetValue(_batchSize) ?? QuickRun.BatchSize, width = parse.GetValue(_width) ?? QuickRun.Width;
        Console.WriteLine($"bench-balancers: {timed} steps, batch {batch}, {size}x{size}, width {width}, {TorchSharp.torch.get_num_threads()} threads");
        var stepMs = new Dictionary<string, double>();
        var (train, validation) = SyntheticDataset.CreateSplits((timed + 3) * batch, batch, size, size, seed: 0);
        using (train)
        using (validation)
        {
            // The first run of a process pays libtorch's start-up costs: one untimed run keeps them out of the ratios.
            MedianStepMs(BalancerLeagueOptions.Reference, train, validation, batch, width);
            foreach (var name in selected)
            {
                stepMs[name] = MedianStepMs(name, train, validation, batch, width);
                Console.WriteLine($"{name,-12} step median {stepMs[name],7:0.0} ms  ×{stepMs[name] / stepMs[BalancerLeagueOptions.Reference],5:0.00} of uniform");
            }
        }
        if (parse.GetValue(_csv) is { } path)
        {
            var table = new Microsoft.Data.Analysis.DataFrame(
                new Microsoft.Data.Analysis.StringDataFrameColumn(BalancerLeague.BalancerColumn, selected),
                new Microsoft.Data.Analysis.StringDataFrameColumn(BalancerLeague.MethodColumn, selected.Select(s => Balancers.All[s].Name)),
                new Microsoft.Data.Analysis.DoubleDataFrameColumn(BalancerLeague.StepColumn, selected.Select(s => stepMs[s])),
                new Microsoft.Data.Analysis.DoubleDataFrameColumn(BalancerLeague.RelativeStepColumn, selected.Select(s => stepMs[s] / stepMs[BalancerLeagueOptions.Reference])));
            ResultsCsv.WriteDeltaM(path, table);
            Console.WriteLine($"Table: {path}");
        }
        return 0;
    }

    /// <summary>One epoch with balancer <paramref name="name"/>: the median of its step times after two warm-up steps.</summary>
    private static double MedianStepMs(string name, IMultiTaskDataset train, IMultiTaskDataset validation, int batch, int width)
    {
        var balancer = name == BalancerLeagueOptions.Reference ? Balancers.FixedWeights() : Balancers.All[name];
        using var model = BenchModels.QuickRun(width).UseArchitecture(Architectures.HardSharing()).UseBalancer(balancer).Build();
        var stamps = new List<TimeSpan>();
        Trainer.Fit(model, train, validation, new TrainingOptions
        {
            Epochs = 1, BatchSize = batch, Progress = new SyncProgress(p => stamps.Add(p.Elapsed)),
        });
        var times = stamps.Zip(stamps.Skip(1), (a, b) => (b - a).TotalMilliseconds).Skip(2).Order().ToArray();
        return times[times.Length / 2];
    }
}
