using Microsoft.Data.Analysis;
using System.CommandLine;
using System.Globalization;
using MtlNotebooks.Analysis;
using MtlNotebooks.Data;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Experiments;
using MtlNotebooks.Training;

namespace MtlNotebooks.Cli;

/// <summary><c>bench-balancers</c>: the per-step cost of every loss balancer relative to fixed weights on the quick run's
/// hard-sharing model, and optionally (<c>--delta-m</c>) each balancer's Δm against single-task baselines trained with
/// the same settings. A benchmark, not a test: it prints numbers and asserts nothing.</summary>
internal sealed class BalancerBenchCommand
{
    private static readonly QuickExperimentOptions Defaults = new();

    private readonly Option<int> _steps = new("--steps") { Description = "Timed training steps per balancer (after 3 warm-up steps).", DefaultValueFactory = _ => 20 };
    private readonly Option<int> _imageSize = new("--image-size") { Description = "Image side.", DefaultValueFactory = _ => Defaults.ImageSize };
    private readonly Option<int> _batchSize = new("--batch-size") { Description = "Batch size.", DefaultValueFactory = _ => Defaults.BatchSize };
    private readonly Option<int> _width = new("--width") { Description = "Backbone width.", DefaultValueFactory = _ => Defaults.Width };
    private readonly Option<string[]> _names = new Option<string[]>("--balancer")
    {
        Description = $"Balancers to measure (repeatable; default all): {string.Join(", ", Balancers.All.Keys)}.",
        AllowMultipleArgumentsPerToken = true,
    }.AcceptOnlyKeys(Balancers.All.Keys);
    private readonly Option<bool> _deltaM = new("--delta-m") { Description = "Also train each balancer with the quick run's settings and report Δm against single-task baselines." };
    private readonly Option<int> _epochs = new("--epochs") { Description = "Epochs of the --delta-m runs.", DefaultValueFactory = _ => Defaults.Epochs };
    private readonly Option<int> _trainSamples = new("--train-samples") { Description = "Training scenes of the --delta-m runs.", DefaultValueFactory = _ => Defaults.TrainSamples };
    private readonly Option<int> _valSamples = new("--val-samples") { Description = "Validation scenes of the --delta-m runs.", DefaultValueFactory = _ => Defaults.ValidationSamples };
    private readonly Option<string?> _csv = new("--csv") { Description = "Also write the table to this CSV file." };
    private readonly Option<int?> _threads = new("--threads") { Description = "libtorch intra-op threads (default: libtorch's choice)." };

    /// <summary>One balancer's line of the table; <see cref="DeltaM"/> is NaN without <c>--delta-m</c>.</summary>
    private sealed record Row(string Name, string Spec, double StepMs, double Relative, double DeltaM, string Metrics);

    public static Command Create() => new BalancerBenchCommand().Build();

    private Command Build()
    {
        var command = new Command("bench-balancers", "Per-step time of each loss balancer relative to fixed weights; with --delta-m, Δm of each on synthetic data.")
        {
            _steps, _imageSize, _batchSize, _width, _names, _deltaM, _epochs, _trainSamples, _valSamples, _csv, _threads,
        };
        command.SetAction(Execute);
        return command;
    }

    private int Execute(ParseResult parse)
    {
        if (parse.GetValue(_threads) is int count) TorchSharp.torch.set_num_threads(count);
        var selected = parse.GetValue(_names) is { Length: > 0 } n ? n : Balancers.All.Keys.ToArray();
        if (!selected.Contains("uniform")) selected = ["uniform", .. selected];
        int timed = parse.GetValue(_steps), size = parse.GetValue(_imageSize), batch = parse.GetValue(_batchSize), width = parse.GetValue(_width);
        Console.WriteLine($"bench-balancers: {timed} steps, batch {batch}, {size}x{size}, width {width}, {TorchSharp.torch.get_num_threads()} threads");

        var stepMs = MeasureSteps(selected, timed, size, batch, width);
        var rows = selected.Select(name => new Row(name, Balancers.All[name].Name, stepMs[name], stepMs[name] / stepMs["uniform"], double.NaN, "")).ToList();
        if (parse.GetValue(_deltaM))
            rows = AddDeltaM(rows, parse.GetValue(_epochs), parse.GetValue(_trainSamples), parse.GetValue(_valSamples), size, batch, width);
        PrintTable(rows);
        if (parse.GetValue(_csv) is { } path) WriteCsv(path, rows);
        return 0;
    }

    /// <summary>Median step time of every selected balancer on the hard-sharing model, printed as it is measured.</summary>
    private static Dictionary<string, double> MeasureSteps(IReadOnlyList<string> selected, int timed, int size, int batch, int width)
    {
        var stepMs = new Dictionary<string, double>();
        var (train, validation) = SyntheticDataset.CreateSplits((timed + 3) * batch, batch, size, size, seed: 0);
        using (train)
        using (validation)
        {
            // The first run of a process pays libtorch's start-up costs: one untimed run keeps them out of the ratios.
            MedianStepMs("uniform", train, validation, batch, width);
            foreach (var name in selected)
            {
                stepMs[name] = MedianStepMs(name, train, validation, batch, width);
                Console.WriteLine($"{name,-12} step median {stepMs[name],7:0.0} ms  ×{stepMs[name] / stepMs["uniform"],5:0.00} of uniform");
            }
        }
        return stepMs;
    }

    /// <summary>One epoch with balancer <paramref name="name"/>: the median of its step times after two warm-up steps.</summary>
    private static double MedianStepMs(string name, IMultiTaskDataset train, IMultiTaskDataset validation, int batch, int width)
    {
        using var model = BenchModels.QuickRun(width).UseArchitecture(Architectures.HardSharing()).UseBalancer(Balancers.All[name]).Build();
        var stamps = new List<TimeSpan>();
        Trainer.Fit(model, train, validation, new TrainingOptions
        {
            Epochs = 1, BatchSize = batch, Progress = new SyncProgress(p => stamps.Add(p.Elapsed)),
        });
        var times = stamps.Zip(stamps.Skip(1), (a, b) => (b - a).TotalMilliseconds).Skip(2).Order().ToArray();
        return times[times.Length / 2];
    }

    /// <summary>Trains single-task baselines, then every balancer with the quick run's settings, and fills in Δm and the
    /// final metrics (or why a run diverged).</summary>
    private static List<Row> AddDeltaM(IReadOnlyList<Row> rows, int epochs, int trainSamples, int valSamples, int size, int batch, int width)
    {
        var options = new TrainingOptions { Epochs = epochs, BatchSize = batch, Optimizer = Defaults.Optimizer, Seed = Defaults.Seed };
        var (train, validation) = SyntheticDataset.CreateSplits(trainSamples, valSamples, size, size, Defaults.Seed);
        using (train)
        using (validation)
        {
            using var baselines = BenchModels.QuickRun(width).UseArchitecture(Architectures.SingleTask()).Build();
            var single = Trainer.Fit(baselines, train, validation, options with { RunName = "single-task" });
            Console.WriteLine($"single-task  {Format(single.Final)}");
            var result = new List<Row>();
            foreach (var row in rows)
            {
                result.Add(WithDeltaM(row, single.Final, train, validation, options, width));
                Console.WriteLine($"{row.Name,-12} Δm {Signed(result[^1].DeltaM),7} %  {result[^1].Metrics}");
            }
            return result;
        }
    }

    private static Row WithDeltaM(Row row, EvaluationRecord single, IMultiTaskDataset train, IMultiTaskDataset validation, TrainingOptions options, int width)
    {
        using var model = BenchModels.QuickRun(width).UseArchitecture(Architectures.HardSharing()).UseBalancer(Balancers.All[row.Name]).Build();
        try
        {
            var history = Trainer.Fit(model, train, validation, options with { RunName = row.Name });
            return row with { DeltaM = DeltaM.Compute(single, history.Final), Metrics = Format(history.Final) };
        }
        catch (TrainingDivergedException ex)
        {
            return row with { Metrics = "diverged: " + ex.Message };
        }
    }

    private static void PrintTable(IEnumerable<Row> rows)
    {
        Console.WriteLine();
        Console.WriteLine($"{"balancer",-12} {"spec",-22} {"step (ms)",10} {"× uniform",10} {"Δm (%)",8}  final metrics");
        foreach (var r in rows)
            Console.WriteLine($"{r.Name,-12} {r.Spec,-22} {r.StepMs,10:0.0} {r.Relative,10:0.00} {(double.IsNaN(r.DeltaM) ? "" : Signed(r.DeltaM)),8}  {r.Metrics}");
    }

    /// <summary>The table as CSV through the library's writer (DataFrame.SaveCsv, atomic); numbers keep three decimals.</summary>
    private static void WriteCsv(string path, IReadOnlyList<Row> rows)
    {
        static string Number(double value) => double.IsNaN(value) ? "" : value.ToString("0.###", CultureInfo.InvariantCulture);
        var table = new DataFrame(
            new StringDataFrameColumn("balancer", rows.Select(r => r.Name)),
            new StringDataFrameColumn("spec", rows.Select(r => r.Spec)),
            new StringDataFrameColumn("step_ms", rows.Select(r => Number(r.StepMs))),
            new StringDataFrameColumn("relative_to_uniform", rows.Select(r => Number(r.Relative))),
            new StringDataFrameColumn("delta_m_percent", rows.Select(r => Number(r.DeltaM))),
            new StringDataFrameColumn("final_metrics", rows.Select(r => r.Metrics)));
        ResultsCsv.WriteDeltaM(path, table);
        Console.WriteLine($"Table: {path}");
    }

    private static string Format(EvaluationRecord evaluation) =>
        string.Join("; ", evaluation.Metrics.Where(m => m.IsPrimary).Select(m => $"{m.Task} {m.Metric} {m.Value.ToString("0.###", CultureInfo.InvariantCulture)}"));

    private static string Signed(double value) => value.ToString("+0.00;-0.00", CultureInfo.InvariantCulture);
}
