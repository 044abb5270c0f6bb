using System.CommandLine;
using System.Globalization;
using MtlNotebooks.Analysis;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Experiments;
using MtlNotebooks.Training;

namespace MtlNotebooks.Cli;

/// <summary><c>bench-balancers</c>: the per-step cost of every loss balancer relative to fixed weights on the quick run's
/// hard-sharing model, and optionally (<c>--delta-m</c>) each balancer's Δm against single-task baselines trained with
/// the same settings. A benchmark, not a test: it prints numbers and asserts nothing.</summary>
internal static class BalancerBenchCommand
{
    public static Command Create()
    {
        var defaults = new QuickExperimentOptions();
        var steps = new Option<int>("--steps") { Description = "Timed training steps per balancer (after 3 warm-up steps).", DefaultValueFactory = _ => 20 };
        var imageSize = new Option<int>("--image-size") { Description = "Image side.", DefaultValueFactory = _ => defaults.ImageSize };
        var batchSize = new Option<int>("--batch-size") { Description = "Batch size.", DefaultValueFactory = _ => defaults.BatchSize };
        var width = new Option<int>("--width") { Description = "Backbone width.", DefaultValueFactory = _ => defaults.Width };
        var names = new Option<string[]>("--balancer")
        {
            Description = $"Balancers to measure (repeatable; default all): {string.Join(", ", Balancers.All.Keys)}.",
            AllowMultipleArgumentsPerToken = true,
        };
        names.AcceptOnlyFromAmong(Balancers.All.Keys.ToArray());
        var deltaM = new Option<bool>("--delta-m") { Description = "Also train each balancer with the quick run's settings and report Δm against single-task baselines." };
        var epochs = new Option<int>("--epochs") { Description = "Epochs of the --delta-m runs.", DefaultValueFactory = _ => defaults.Epochs };
        var trainSamples = new Option<int>("--train-samples") { Description = "Training scenes of the --delta-m runs.", DefaultValueFactory = _ => defaults.TrainSamples };
        var valSamples = new Option<int>("--val-samples") { Description = "Validation scenes of the --delta-m runs.", DefaultValueFactory = _ => defaults.ValidationSamples };
        var csv = new Option<string?>("--csv") { Description = "Also write the table to this CSV file." };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: libtorch's choice)." };
        var command = new Command("bench-balancers", "Per-step time of each loss balancer relative to fixed weights; with --delta-m, Δm of each on synthetic data.")
        {
            steps, imageSize, batchSize, width, names, deltaM, epochs, trainSamples, valSamples, csv, threads,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) is int count) TorchSharp.torch.set_num_threads(count);
            var selected = parse.GetValue(names) is { Length: > 0 } n ? n : Balancers.All.Keys.ToArray();
            if (!selected.Contains("uniform")) selected = ["uniform", .. selected];
            int timed = parse.GetValue(steps), size = parse.GetValue(imageSize), batch = parse.GetValue(batchSize), w = parse.GetValue(width);
            Console.WriteLine($"bench-balancers: {timed} steps, batch {batch}, {size}x{size}, width {w}, {TorchSharp.torch.get_num_threads()} threads");

            var stepMs = new Dictionary<string, double>();
            var (train, validation) = SyntheticDataset.CreateSplits((timed + 3) * batch, batch, size, size, seed: 0);
            using (train)
            using (validation)
            {
                // The first run of a process pays libtorch's start-up costs: one untimed run keeps them out of the ratios.
                foreach (var (name, timedRun) in selected.Select(s => (s, true)).Prepend(("uniform", false)))
                {
                    using var model = Builder(w).UseArchitecture(Architectures.HardSharing()).UseBalancer(Balancers.All[name]).Build();
                    var stamps = new List<TimeSpan>();
                    Trainer.Fit(model, train, validation, new TrainingOptions
                    {
                        Epochs = 1, BatchSize = batch, Progress = new SyncProgress(p => stamps.Add(p.Elapsed)),
                    });
                    var times = stamps.Zip(stamps.Skip(1), (a, b) => (b - a).TotalMilliseconds).Skip(2).Order().ToArray();
                    if (!timedRun) continue;
                    stepMs[name] = times[times.Length / 2];
                    Console.WriteLine($"{name,-12} step median {stepMs[name],7:0.0} ms  ×{stepMs[name] / stepMs["uniform"],5:0.00} of uniform");
                }
            }

            var rows = selected.Select(name => (name, Spec: Balancers.All[name].Name, Step: stepMs[name], Relative: stepMs[name] / stepMs["uniform"],
                DeltaM: double.NaN, Metrics: "")).ToList();
            if (parse.GetValue(deltaM))
            {
                var options = new TrainingOptions
                {
                    Epochs = parse.GetValue(epochs), BatchSize = batch, Optimizer = defaults.Optimizer, Seed = defaults.Seed,
                };
                var (dTrain, dValidation) = SyntheticDataset.CreateSplits(parse.GetValue(trainSamples), parse.GetValue(valSamples), size, size, defaults.Seed);
                using (dTrain)
                using (dValidation)
                {
                    using var baselines = Builder(w).UseArchitecture(Architectures.SingleTask()).Build();
                    var single = Trainer.Fit(baselines, dTrain, dValidation, options with { RunName = "single-task" });
                    Console.WriteLine($"single-task  {Format(single.Final)}");
                    for (int i = 0; i < rows.Count; i++)
                    {
                        using var model = Builder(w).UseArchitecture(Architectures.HardSharing()).UseBalancer(Balancers.All[rows[i].name]).Build();
                        try
                        {
                            var history = Trainer.Fit(model, dTrain, dValidation, options with { RunName = rows[i].name });
                            rows[i] = rows[i] with { DeltaM = DeltaM.Compute(single.Final, history.Final), Metrics = Format(history.Final) };
                        }
                        catch (TrainingDivergedException ex)
                        {
                            rows[i] = rows[i] with { Metrics = "diverged: " + ex.Message };
                        }
                        Console.WriteLine($"{rows[i].name,-12} Δm {Signed(rows[i].DeltaM),7} %  {rows[i].Metrics}");
                    }
                }
            }

            Console.WriteLine();
            Console.WriteLine($"{"balancer",-12} {"spec",-22} {"step (ms)",10} {"× uniform",10} {"Δm (%)",8}  final metrics");
            foreach (var r in rows)
                Console.WriteLine($"{r.name,-12} {r.Spec,-22} {r.Step,10:0.0} {r.Relative,10:0.00} {(double.IsNaN(r.DeltaM) ? "" : Signed(r.DeltaM)),8}  {r.Metrics}");
            if (parse.GetValue(csv) is { } path)
            {
                var lines = new[] { "balancer,spec,step_ms,relative_to_uniform,delta_m_percent,final_metrics" }
                    .Concat(rows.Select(r => string.Join(",", r.name, Quote(r.Spec), r.Step.ToString("0.###", CultureInfo.InvariantCulture),
                        r.Relative.ToString("0.###", CultureInfo.InvariantCulture),
                        double.IsNaN(r.DeltaM) ? "" : r.DeltaM.ToString("0.###", CultureInfo.InvariantCulture), Quote(r.Metrics))));
                AtomicFile.WriteAllText(path, string.Join(Environment.NewLine, lines) + Environment.NewLine);
                Console.WriteLine($"Table: {path}");
            }
            return 0;
        });
        return command;
    }

    private static MultiTaskNetBuilder Builder(int width) => MultiTaskNet.CreateBuilder()
        .UseBackbone(Backbones.SmallResNet(width))
        .AddTask(DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount))
        .AddTask(DenseTasks.Depth())
        .AddTask(DenseTasks.SurfaceNormals());

    private static string Format(EvaluationRecord evaluation) =>
        string.Join("; ", evaluation.Metrics.Where(m => m.IsPrimary).Select(m => $"{m.Task} {m.Metric} {m.Value.ToString("0.###", CultureInfo.InvariantCulture)}"));

    private static string Signed(double value) => value.ToString("+0.00;-0.00", CultureInfo.InvariantCulture);

    private static string Quote(string text) => $"\"{text.Replace("\"", "\"\"")}\"";

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
