using System.CommandLine;
using System.Diagnostics;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Experiments;
using MtlNotebooks.Training;

namespace MtlNotebooks.Cli;

/// <summary>Train-step time and memory of the quick run's models: speed targets live here, not in unit tests.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var defaults = new QuickExperimentOptions();
        var steps = new Option<int>("--steps") { Description = "Timed training steps per model (after 3 warm-up steps).", DefaultValueFactory = _ => 40 };
        var imageSize = new Option<int>("--image-size") { Description = "Image side.", DefaultValueFactory = _ => defaults.ImageSize };
        var batchSize = new Option<int>("--batch-size") { Description = "Batch size.", DefaultValueFactory = _ => defaults.BatchSize };
        var width = new Option<int>("--width") { Description = "Backbone width.", DefaultValueFactory = _ => defaults.Width };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: libtorch's choice)." };
        var bench = new Command("bench", "Measure train-step time and memory of the quick run's models.") { steps, imageSize, batchSize, width, threads };
        bench.SetAction(parse =>
        {
            if (parse.GetValue(threads) is int n) TorchSharp.torch.set_num_threads(n);
            int timed = parse.GetValue(steps), size = parse.GetValue(imageSize), batch = parse.GetValue(batchSize);
            Console.WriteLine($"bench: {timed} steps, batch {batch}, {size}x{size}, width {parse.GetValue(width)}, {TorchSharp.torch.get_num_threads()} threads");
            var (train, validation) = SyntheticDataset.CreateSplits((timed + 3) * batch, batch, size, size, seed: 0);
            using (train)
            using (validation)
            {
                foreach (var architecture in new IArchitecture[] { Architectures.HardSharing(), Architectures.SingleTask() })
                {
                    using var model = MultiTaskNet.CreateBuilder()
                        .UseBackbone(Backbones.SmallResNet(parse.GetValue(width)))
                        .AddTask(DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount))
                        .AddTask(DenseTasks.Depth())
                        .AddTask(DenseTasks.SurfaceNormals())
                        .UseArchitecture(architecture)
                        .Build();
                    var stamps = new List<TimeSpan>();
                    var rss = new List<long>();
                    var live = new List<long>();
                    Trainer.Fit(model, train, validation, new TrainingOptions
                    {
                        Epochs = 1,
                        BatchSize = batch,
                        Progress = new SyncProgress(p => { stamps.Add(p.Elapsed); rss.Add(Process.GetCurrentProcess().WorkingSet64); live.Add(TorchSharp.torch.Tensor.TotalCount); }),
                    });
                    var stepMs = stamps.Zip(stamps.Skip(1), (a, b) => (b - a).TotalMilliseconds).Skip(2).Order().ToArray();
                    Console.WriteLine($"{architecture.Name,-12} params {model.Network.ParameterCount(),10:N0}  step median {stepMs[stepMs.Length / 2],7:0.0} ms  " +
                                      $"mean {stepMs.Average(),7:0.0} ms  p90 {stepMs[(int)(stepMs.Length * 0.9)],7:0.0} ms  " +
                                      $"{batch * 1000.0 / stepMs.Average(),6:0} img/s  RSS {rss[^1] / 1048576.0:0} MiB " +
                                      $"(growth over timed steps {(rss[^1] - rss[3]) / 1048576.0:+0.0;-0.0} MiB)  peak {ProcessMemory.PeakResidentMiB():0} MiB  " +
                                      $"live tensors {live[3]:N0} → {live[^1]:N0}");
                }
            }
            return 0;
        });
        return bench;
    }

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
