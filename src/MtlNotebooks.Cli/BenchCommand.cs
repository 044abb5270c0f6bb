using MtlNotebooks.Analysis;
using System.CommandLine;
using MtlNotebooks.Data;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Experiments;
using MtlNotebooks.Training;

namespace MtlNotebooks.Cli;

/// <summary>Train-step time and memory of the quick run's models: speed targets live here, not in unit tests.</summary>
internal static class BenchCommand
{
    /// <summary>Steps before the timed ones, whose times and memory are left out (libtorch and the JIT warm up).</summary>
    private const int WarmupSteps = 3;

    public static Command Create()
    {
        var defaults = new QuickExperimentOptions();
        var steps = new Option<int>("--steps") { Description = "Timed training steps per model (after 3 warm-up steps).", DefaultValueFactory = _ => 40 }.AtLeast(1);
        var imageSize = new Option<int>("--image-size") { Description = "Image side.", DefaultValueFactory = _ => defaults.ImageSize }.AtLeast(8);
        var batchSize = new Option<int>("--batch-size") { Description = "Batch size.", DefaultValueFactory = _ => defaults.BatchSize }.AtLeast(1);
        var width = new Option<int>("--width") { Description = "Backbone width.", DefaultValueFactory = _ => defaults.Width }.AtLeast(1);
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: libtorch's choice)." }.AtLeast(1);
        var channelsLast = new Option<bool>("--channels-last") { Description = "Feed the images channels-last, as run quick does by default." };
        var profile = new Option<bool>("--profile") { Description = "Also show where a step's time goes: data, forward, loss, backward, optimiser, and each module's forward." };
        var architectures = new Option<string[]>("--architecture")
        {
            Description = $"Architectures to measure (repeatable; 'all' for every one): {string.Join(", ", Architectures.All.Keys)}. Default: hard-sharing and single-task.",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => ["hard-sharing", "single-task"],
        }.AcceptOnlyKeys([.. Architectures.All.Keys, "all"]);
        var bench = new Command("bench", "Measure train-step time and memory of the quick run's models.")
        {
            steps, imageSize, batchSize, width, threads, profile, channelsLast, architectures,
        };
        bench.SetAction(parse =>
        {
            if (parse.GetValue(threads) is int n) TorchSharp.torch.set_num_threads(n);
            var keys = parse.GetValue(architectures)!;
            return Run(keys.Contains("all") ? [.. Architectures.All.Keys] : keys, parse.GetValue(steps), parse.GetValue(imageSize), parse.GetValue(batchSize),
                parse.GetValue(width), parse.GetValue(profile), parse.GetValue(channelsLast));
        });
        return bench;
    }

    private static int Run(IReadOnlyList<string> keys, int timed, int size, int batch, int width, bool profile, bool channelsLast)
    {
        Console.WriteLine($"bench: {timed} steps, batch {batch}, {size}x{size}, width {width}, {TorchSharp.torch.get_num_threads()} threads, " +
                          (channelsLast ? "channels-last" : "contiguous"));
        var (train, validation) = SyntheticDataset.CreateSplits((timed + WarmupSteps) * batch, batch, size, size, seed: 0);
        using (train)
        using (validation)
        {
            foreach (var key in keys)
                Console.WriteLine(Measure(Resolve(Architectures.All[key], width, size), width, size, batch, train, validation, profile, channelsLast));
        }
        return 0;
    }

    /// <summary>A branched-network search gets its tree from untrained single-task networks: the bench times the network, not the tree.</summary>
    private static IArchitecture Resolve(IArchitecture architecture, int width, int size)
    {
        if (architecture is not MtlNotebooks.Modules.EncoderFocused.BranchedSearch search) return architecture;
        using var baselines = Builder(Architectures.SingleTask(), width, size).Build();
        using var images = TorchSharp.torch.randn(4, 3, size, size);
        return search.AfterBaselines(baselines.Network, images);
    }

    /// <summary>The quick run's builder with <paramref name="architecture"/> on its own backbone where it has one (ASTMT's SE-ResNet).</summary>
    private static MultiTaskNetBuilder Builder(IArchitecture architecture, int width, int size)
    {
        var builder = BenchModels.QuickRun(width).UseArchitecture(architecture);
        return architecture is IPreferredBackbone preferred ? builder.UseBackbone(preferred.DefaultBackbone(width, size, size)) : builder;
    }

    /// <summary>Trains one epoch, sampling elapsed time, resident memory and live tensors after every step.</summary>
    private static string Measure(IArchitecture architecture, int width, int size, int batch, IMultiTaskDataset train, IMultiTaskDataset validation, bool profile, bool channelsLast)
    {
        // The previous model's tensors that nothing disposed explicitly wait for the finaliser: let them go first. The count
        // still starts above the previous model's: TorchSharp never uncounts the wrapper it makes per parameter created
        // (README, Benchmark), so only its flatness within one model says something.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var model = Builder(architecture, width, size).WithChannelsLast(channelsLast).Build();
        var samples = new List<(TimeSpan Elapsed, double RssMiB, long Live)>();
        var steps = profile ? new StepProfile() : null;
        using (steps?.Attach(model.Network, depth: 3))
        {
            Trainer.Fit(model, train, validation, new TrainingOptions
            {
                Epochs = 1,
                BatchSize = batch,
                Profile = steps,
                Progress = new SyncProgress(p =>
                {
                    samples.Add((p.Elapsed, ResidentMemory.CurrentMiB(), TorchSharp.torch.Tensor.TotalCount));
                    if (p.Step == WarmupSteps) steps?.Reset();   // the profile covers the timed steps and the evaluation
                }),
            });
        }
        var line = Format(architecture, model.Network.ParameterCount(), batch, samples);
        if (steps is null) return line;
        return $"{line}\n\n{DeltaM.ToText(steps.PhaseTable())}\n\n{DeltaM.ToText(steps.ModuleTable())}\n";
    }

    private static string Format(IArchitecture architecture, long parameters, int batch, IReadOnlyList<(TimeSpan Elapsed, double RssMiB, long Live)> samples)
    {
        var stepMs = samples.Zip(samples.Skip(1), (a, b) => (b.Elapsed - a.Elapsed).TotalMilliseconds).Skip(2).Order().ToArray();
        var (first, last) = (samples[WarmupSteps], samples[^1]);
        return $"{architecture.Name,-12} params {parameters,10:N0}  step median {stepMs[stepMs.Length / 2],7:0.0} ms  " +
               $"mean {stepMs.Average(),7:0.0} ms  p90 {stepMs[(int)(stepMs.Length * 0.9)],7:0.0} ms  " +
               $"{batch * 1000.0 / stepMs.Average(),6:0} img/s  RSS {last.RssMiB:0} MiB " +
               $"(growth over timed steps {last.RssMiB - first.RssMiB:+0.0;-0.0} MiB)  peak {ResidentMemory.PeakMiB():0} MiB  " +
               $"live tensors {first.Live:N0} → {last.Live:N0}";
    }
}
