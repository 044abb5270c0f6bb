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
        ("hrnet18", () => Backbones.HRNet18()),
    ];

    public static Command Create()
    {
        var steps = new Option<int>("--steps") { Description = "Timed steps per model (after 2 warm-up steps).", DefaultValueFactory = _ => 10 };
        var imageSize = new Option<int>("--image-size") { Description = "Image side.", DefaultValueFactory = _ => 256 };
        var batchSize = new Option<int>("--batch-size") { Description = "Batch size.", DefaultValueFactory = _ => 2 };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads of both libtorch builds.", DefaultValueFactory = _ => 2 };
        var python = new Option<string?>("--python") { Description = "Python with PyTorch and torchvision (default /usr/bin/python3); 'none' skips PyTorch.", DefaultValueFactory = _ => "/usr/bin/python3" };
        var command = new Command("bench-backbones",
            "Forward+backward time and peak memory of ResNet-18 (dilated, output stride 8) and HRNet-18, TorchSharp vs PyTorch.")
        {
            steps, imageSize, batchSize, threads, python,
        };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(steps), size = parse.GetValue(imageSize), batch = parse.GetValue(batchSize), t = parse.GetValue(threads);
            set_num_threads(t);
            string? py = parse.GetValue(python);
            string? script = py is null or "none" ? null : FindScript();
            Console.WriteLine($"bench-backbones: batch {batch}, {size}x{size}, {t} threads, {n} timed steps (forward + backward of the sum of squared feature means)");
            foreach (var (name, spec) in Models)
            {
                var (parameters, median, peak) = TimeTorchSharp(spec(), size, batch, n);
                Console.Write($"{name,-17} params {parameters,11:N0}  TorchSharp {median,8:0.0} ms (peak RSS so far {peak:0} MiB)");
                if (script is not null && RunPyTorch(py!, script, name, size, batch, t, n) is { } reference)
                    Console.Write($"  PyTorch {reference.GetProperty("torch").GetString()} {reference.GetProperty("median_ms").GetDouble(),8:0.0} ms " +
                                  $"(peak RSS {reference.GetProperty("peak_rss_mib").GetDouble():0} MiB, params {reference.GetProperty("parameters").GetInt64():N0})" +
                                  $"  ratio TorchSharp/PyTorch {median / reference.GetProperty("median_ms").GetDouble():0.00}");
                Console.WriteLine();
            }
            return 0;
        });
        return command;
    }

    private static (long Parameters, double MedianMs, double PeakMiB) TimeTorchSharp(IBackbone spec, int size, int batch, int steps)
    {
        using var module = spec.Create();
        module.train();
        using var input = randn(batch, 3, size, size);
        var times = new List<double>();
        for (int step = 0; step < steps + 2; step++)
        {
            var watch = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                module.zero_grad();
                var maps = module.call(input);
                maps.Select(m => m.square().mean()).Aggregate((a, b) => a + b).backward();
            }
            if (step >= 2) times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return (module.parameters().Sum(p => p.numel()), times[times.Count / 2], PeakRssMiB());
    }

    private static JsonElement? RunPyTorch(string python, string script, string model, int size, int batch, int threads, int steps)
    {
        var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { script, model, $"{size}", $"{batch}", $"{threads}", $"{steps}" }) info.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var line = output.Split('\n').LastOrDefault(l => l.StartsWith('{'));
            if (process.ExitCode != 0 || line is null)
            {
                Console.Write($"  PyTorch failed (exit {process.ExitCode}): {stderr.Result.Trim().Split('\n').LastOrDefault()}");
                return null;
            }
            return JsonDocument.Parse(line).RootElement.Clone();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Write($"  PyTorch not run: cannot start '{python}' ({e.Message})");
            return null;
        }
    }

    /// <summary>bench/backbone_bench.py next to this project's sources, searched upward from the working and the program folder.</summary>
    private static string? FindScript()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "src", "MtlNotebooks.Cli", "bench", "backbone_bench.py");
                if (File.Exists(candidate)) return candidate;
            }
        }
        Console.WriteLine("bench-backbones: src/MtlNotebooks.Cli/bench/backbone_bench.py not found (run from the repository); PyTorch skipped.");
        return null;
    }

    /// <summary>VmHWM: the process's peak resident set (Linux); NaN elsewhere.</summary>
    private static double PeakRssMiB()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return double.NaN;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    }
}
