using MtlNotebooks.Analysis;
using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using static TorchSharp.torch;

namespace MtlNotebooks.Cli;

/// <summary>Forward + backward time of the papers' backbones in TorchSharp and, in the same run, of the same networks in
/// PyTorch (bench/backbone_bench.py under /usr/bin/python3), reported as a ratio with peak memory.</summary>
internal static class BackboneBenchCommand
{
    private static readonly (string Name, Func<IBackbone> Spec)[] Models =
    [
        ("resnet18-dilated", () => Backbones.ResNet18(outputStride: 8, includeClassifier: true)),
        ("hrnet-w18-small", () => Backbones.HRNetW18Small()),
        ("hrnet-w18", () => Backbones.HRNetW18()),
    ];

    public static Command Create()
    {
        var steps = new Option<int>("--steps") { Description = "Timed steps per model.", DefaultValueFactory = _ => 10 }.AtLeast(1);
        // .NET's tiered JIT runs hot methods instrumented, then recompiles them (dynamic PGO): a step is ~20 % slower
        // for the first ~15 steps. PyTorch gets the same warm-up, so both are timed in their steady state.
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps before timing, in both frameworks.", DefaultValueFactory = _ => 20 }.AtLeast(0);
        var imageSize = new Option<int>("--image-size") { Description = "Image side.", DefaultValueFactory = _ => 256 }.AtLeast(8);
        var batchSize = new Option<int>("--batch-size") { Description = "Batch size.", DefaultValueFactory = _ => 2 }.AtLeast(1);
        var threads = new Option<int>("--threads") { Description = "Intra-op threads of both libtorch builds.", DefaultValueFactory = _ => 2 }.AtLeast(1);
        var python = new Option<string?>("--python") { Description = "Python with PyTorch and torchvision (default /usr/bin/python3); 'none' skips PyTorch.", DefaultValueFactory = _ => "/usr/bin/python3" };
        var model = new Option<string?>("--model") { Description = $"One model ({string.Join(", ", Models.Select(m => m.Name))}) in this process; without it, each runs in its own process so every peak is its own." };
        var command = new Command("bench-backbones",
            "Forward+backward time and peak memory of ResNet-18 (dilated, output stride 8), HRNet-18 (W18-Small-v2, as MTI-Net) and the full HRNetV2-W18, TorchSharp vs PyTorch.")
        {
            steps, warmup, imageSize, batchSize, threads, python, model,
        };
        command.SetAction(parse => Execute(
            new Settings(parse.GetValue(steps), parse.GetValue(warmup), parse.GetValue(imageSize), parse.GetValue(batchSize), parse.GetValue(threads)),
            parse.GetValue(python), parse.GetValue(model)));
        return command;
    }

    /// <summary>What every measured step shares, in both frameworks.</summary>
    private sealed record Settings(int Steps, int Warmup, int ImageSize, int BatchSize, int Threads);

    private static int Execute(Settings settings, string? python, string? only)
    {
        set_num_threads(settings.Threads);
        string? script = python is null or "none" ? null : BenchProcesses.FindScript("bench-backbones", "backbone_bench.py");
        if (only is null)
            return RunEachInOwnProcess(settings, python);
        var (_, spec) = Models.FirstOrDefault(m => m.Name == only);
        if (spec is null)
        {
            Console.Error.WriteLine($"bench-backbones: unknown model '{only}'; choose one of {string.Join(", ", Models.Select(m => m.Name))}.");
            return 2;
        }
        Bench(only, spec(), settings, python, script);
        return 0;
    }

    /// <summary>Runs this program once per model (<c>--model</c>), so each model's peak memory is its own; the number of failures decides the exit code.</summary>
    private static int RunEachInOwnProcess(Settings s, string? python)
    {
        Console.WriteLine($"bench-backbones: batch {s.BatchSize}, {s.ImageSize}x{s.ImageSize}, {s.Threads} threads, {s.Steps} timed steps after {s.Warmup} untimed (forward + backward of the sum of squared feature means)");
        int failures = 0;
        foreach (var (name, _) in Models)
            failures += BenchProcesses.RunSelf(["bench-backbones", "--model", name, "--steps", $"{s.Steps}", "--warmup", $"{s.Warmup}", "--image-size", $"{s.ImageSize}",
                                 "--batch-size", $"{s.BatchSize}", "--threads", $"{s.Threads}", "--python", python ?? "none"]) == 0 ? 0 : 1;
        return failures == 0 ? 0 : 1;
    }

    /// <summary>Times one model in TorchSharp and, with a script, in PyTorch; prints one line.</summary>
    private static void Bench(string name, IBackbone spec, Settings s, string? python, string? script)
    {
        string trace = Path.Combine(Path.GetTempPath(), $"mtl-bench-{Environment.ProcessId}-{name}.pt");
        try
        {
            var reference = script is null ? null : BenchProcesses.RunPython(python!, script, [name, $"{s.ImageSize}", $"{s.BatchSize}", $"{s.Threads}", $"{s.Steps}", $"{s.Warmup}", trace]);
            var (parameters, median, peak, start) = TimeTorchSharp(spec, s.ImageSize, s.BatchSize, s.Steps, s.Warmup);
            Console.Write($"{name,-17} params {parameters,11:N0}  TorchSharp {median,7:0.0} ms (peak RSS {peak:0} MiB, {start:0} before the model)");
            if (reference is { } r) PrintPyTorch(r, median, trace, s);
            Console.WriteLine();
        }
        finally
        {
            File.Delete(trace);   // a failed step must not leave the traced model in the temp folder
        }
    }

    /// <summary>PyTorch's time and memory beside TorchSharp's; with the traced graph, the libraries' ratio apart from the binding's.</summary>
    private static void PrintPyTorch(JsonElement reference, double median, string trace, Settings s)
    {
        double torchMs = reference.GetProperty("median_ms").GetDouble();
        Console.Write($"  PyTorch {reference.GetProperty("torch").GetString()} {torchMs,7:0.0} ms (peak RSS {reference.GetProperty("peak_rss_mib").GetDouble():0} MiB, {reference.GetProperty("start_rss_mib").GetDouble():0} before the model, " +
                      $"params {reference.GetProperty("parameters").GetInt64():N0})  ratio {median / torchMs:0.00}");
        if (!File.Exists(trace)) return;
        // The same TorchScript graph in both libtorch builds: its ratio is the libraries', the rest is the binding's.
        double tracedHere = TimeTorchScript(trace, s.ImageSize, s.BatchSize, s.Steps, s.Warmup), tracedThere = reference.GetProperty("traced_median_ms").GetDouble();
        Console.Write($"  | TorchScript graph: libtorch 2.10 {tracedHere:0.0} ms vs PyTorch {tracedThere:0.0} ms, ratio {tracedHere / tracedThere:0.00}; " +
                      $"eager TorchSharp / TorchScript {median / tracedHere:0.00}");
    }

    private static (long Parameters, double MedianMs, double PeakMiB, double StartMiB) TimeTorchSharp(IBackbone spec, int size, int batch, int steps, int warmup)
    {
        ResidentMemory.ResetPeak();
        double start = ResidentMemory.CurrentMiB();
        using var module = spec.Create();
        module.train();
        double median = MedianStepMs(() => module.zero_grad(), x => module.call(x), size, batch, steps, warmup);
        return (module.parameters().Sum(p => p.numel()), median, ResidentMemory.PeakMiB(), start);
    }

    private static double TimeTorchScript(string path, int size, int batch, int steps, int warmup)
    {
        using var module = jit.load(path);
        module.train();
        return MedianStepMs(() => module.zero_grad(), x => ((object[])module.call(x)).Cast<Tensor>().ToList(), size, batch, steps, warmup);
    }

    private static double MedianStepMs(Action zeroGrad, Func<Tensor, IEnumerable<Tensor>> forward, int size, int batch, int steps, int warmup)
    {
        using var input = randn(batch, 3, size, size);
        var times = new List<double>();
        for (int step = 0; step < warmup + steps; step++)
        {
            var watch = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                zeroGrad();
                forward(input).Select(m => m.square().mean()).Aggregate((a, b) => a + b).backward();
            }
            if (step >= warmup) times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
