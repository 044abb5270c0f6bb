using Microsoft.Data.Analysis;
using MtlNotebooks.Analysis;
using MtlNotebooks.Training;
using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using static TorchSharp.torch;

namespace MtlNotebooks.Cli;

/// <summary>The train step of the papers' whole models in TorchSharp and, in the same run, of the authors' own models
/// under PyTorch (bench/model_bench.py with a checkout of the survey code, bench/transformer_bench.py with one of
/// InvPT's and TaskPrompter's), as a ratio with peak memory per model.</summary>
internal static class ModelBenchCommand
{
    /// <summary>A model of reference code and the same network from the builder (for an image side: a ViT is built for
    /// its size): parameter counts are equal (ResourceTableTests, EncoderReferenceTests, InvPTTests, TaskPrompterTests) and
    /// the table checks them again. <see cref="Config"/> names the survey code's configs/&lt;Config&gt;.yml, or for the
    /// transformer decoders a configuration of tools/transformer_reference.py.</summary>
    internal sealed record BenchModel(string Name, string Config, int ImageSize, Func<int, MultiTaskNetBuilder> Builder, ReferenceCode Code = ReferenceCode.Survey);

    /// <summary>Whose code builds the PyTorch side.</summary>
    internal enum ReferenceCode
    {
        /// <summary>Multi-Task-Learning-PyTorch (the survey's and MTI-Net's), <c>--reference-code</c>.</summary>
        Survey,

        /// <summary>Multi-Task-Transformer (InvPT's and TaskPrompter's), <c>--transformer-code</c>.</summary>
        Transformers,
    }

    // HRNet models at 256×256 (the size of the first comparison); the dilated ResNet-50 ones (output stride 8, two
    // towers for cross-stitch and NDDR-CNN) at 96×96; the transformer decoders, NYUD's configurations on ViT-B/16 with
    // the official decoder widths, at 128×128 (an 8×8 token grid), so one run of every model stays within ~20 minutes on 2 cores.
    internal static readonly BenchModel[] Models =
    [
        new("hard-sharing", "nyud/hrnet18/multi_task_baseline", 256, _ => Nyud(Backbones.HRNetW18Small(), Architectures.HardSharing(Heads.HRNet()))),
        new("pad-net", "nyud/hrnet18/pad_net", 256, _ => Nyud(Backbones.HRNetW18Small(), Architectures.PadNet())),
        new("mti-net", "nyud/hrnet18/mti_net", 256, _ => Nyud(Backbones.HRNetW18Small(), Architectures.MtiNet())),
        new("mti-net+aux", "nyud/hrnet18/mti_net+edges_normals", 256, _ => Nyud(Backbones.HRNetW18Small(), Architectures.MtiNet())
            .AddAuxiliaryTask(DenseTasks.SurfaceNormals()).AddAuxiliaryTask(DenseTasks.Edges())),
        new("r50-hard-sharing", "nyud/resnet50/multi_task_baseline", 96, _ => Nyud(Backbones.ResNet50(outputStride: 8), Architectures.HardSharing(Heads.DeepLab()))),
        new("cross-stitch", "nyud/resnet50/cross_stitch", 96, _ => Nyud(Backbones.ResNet50(outputStride: 8), Architectures.CrossStitch(Heads.DeepLab()))),
        new("nddr-cnn", "nyud/resnet50/nddr_cnn", 96, _ => Nyud(Backbones.ResNet50(outputStride: 8), Architectures.NddrCnn(Heads.DeepLab()))),
        new("mtan", "nyud/resnet50/mtan", 96, _ => Nyud(Backbones.ResNet50(outputStride: 8), Architectures.Mtan(Heads.DeepLab()))),
        new("invpt", "invpt/nyud/vitB", 128, size => NyudFourTasks(Backbones.VitBase(size), Architectures.InvPT()), ReferenceCode.Transformers),
        new("taskprompter", "taskprompter/nyud/vitB", 128,
            size => NyudFourTasks(Backbones.VitBase(size), Architectures.TaskPrompter(768, 768, channelHeads: 16, crossTaskReweighting: false)), ReferenceCode.Transformers),
    ];

    /// <summary>The models whose PyTorch side is the survey code (what <c>weights inspect</c> and <c>weights roundtrip</c> compare with).</summary>
    internal static IEnumerable<BenchModel> SurveyModels => Models.Where(m => m.Code == ReferenceCode.Survey);

    /// <summary>NYUD's four tasks as the transformer decoders' official configurations train them.</summary>
    private static MultiTaskNetBuilder NyudFourTasks(IBackbone backbone, IArchitecture architecture) => Nyud(backbone, architecture)
        .AddTask(DenseTasks.SurfaceNormals()).AddTask(DenseTasks.Edges());

    private static MultiTaskNetBuilder Nyud(IBackbone backbone, IArchitecture architecture) => MultiTaskNet.CreateBuilder()
        .UseBackbone(backbone).AddTask(DenseTasks.SemanticSegmentation(40)).AddTask(DenseTasks.Depth()).UseArchitecture(architecture);

    /// <summary>What every measured step shares, in both frameworks.</summary>
    internal sealed record Settings(int Steps, int Warmup, int? ImageSize, int BatchSize, int Threads, bool ChannelsLast);

    public static Command Create()
    {
        var steps = new Option<int>("--steps") { Description = "Timed steps per model, in each framework.", DefaultValueFactory = _ => 20 }.AtLeast(1);
        // .NET's tiered JIT recompiles hot methods after ~15 calls; a whole model's step is long enough that a few
        // untimed steps reach the steady state (and libtorch's allocator caches warm up in both frameworks).
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps before timing, in both frameworks.", DefaultValueFactory = _ => 5 }.AtLeast(0);
        var imageSize = new Option<int?>("--image-size") { Description = "Image side for every model (default: 256 for HRNet models, 96 for ResNet-50 ones, 128 for the ViT ones)." }.AtLeast(8);
        var batchSize = new Option<int>("--batch-size") { Description = "Batch size.", DefaultValueFactory = _ => 2 }.AtLeast(1);
        var threads = new Option<int>("--threads") { Description = "Intra-op threads of both libtorch builds.", DefaultValueFactory = _ => 2 }.AtLeast(1);
        var memoryFormat = new Option<string>("--memory-format")
        {
            Description = "TorchSharp's image layout: channels-last (as run quick) or contiguous. The PyTorch side runs the survey code as written.",
            DefaultValueFactory = _ => "channels-last",
        }.AcceptOnlyKeys(["channels-last", "contiguous"]);
        var reference = new Option<DirectoryInfo?>("--reference-code")
        {
            Description = "A checkout of github.com/SimonVandenhende/Multi-Task-Learning-PyTorch: its models are timed under PyTorch beside ours. Without it, TorchSharp only.",
        };
        var transformers = new Option<DirectoryInfo?>("--transformer-code")
        {
            Description = "A checkout (or bare git directory) of github.com/prismformore/Multi-Task-Transformer: InvPT and TaskPrompter are timed under PyTorch beside ours.",
        };
        var python = new Option<string>("--python") { Description = "Python with PyTorch (Debian: apt-get install python3-torch python3-torchvision python3-yaml).", DefaultValueFactory = _ => "/usr/bin/python3" };
        var models = new Option<string[]>("--model")
        {
            Description = $"Models to time (repeatable; default all): {string.Join(", ", Models.Select(m => m.Name))}.",
            AllowMultipleArgumentsPerToken = true,
        }.AcceptOnlyKeys(Models.Select(m => m.Name));
        var output = new Option<FileInfo?>("--output") { Description = "Also write the table as CSV to this file." };
        var result = new Option<FileInfo?>("--result") { Description = "Internal: the file one model's measurement is written to.", Hidden = true };
        var command = new Command("bench-models",
            "Train-step time and peak memory of the papers' models (hard sharing, PAD-Net, MTI-Net on HRNet-18; cross-stitch, NDDR-CNN, MTAN on ResNet-50; InvPT, TaskPrompter on ViT-B), TorchSharp vs the authors' code under PyTorch.")
        {
            steps, warmup, imageSize, batchSize, threads, memoryFormat, reference, transformers, python, models, output, result,
        };
        command.Validators.Add(parse =>
        {
            if (parse.GetValue(reference) is { } dir && !Directory.Exists(Path.Combine(dir.FullName, "configs")))
                parse.AddError($"--reference-code: '{dir.FullName}' is not a checkout of Multi-Task-Learning-PyTorch (it has no configs/ folder).");
            if (parse.GetValue(transformers) is { } code && !Directory.Exists(Path.Combine(code.FullName, "InvPT")) && !File.Exists(Path.Combine(code.FullName, "HEAD")))
                parse.AddError($"--transformer-code: '{code.FullName}' is not a checkout of Multi-Task-Transformer (no InvPT/ folder) nor a git directory of it.");
            // Python runs only beside a reference checkout; named explicitly, it must exist all the same.
            bool named = parse.GetResult(python) is { Implicit: false };
            if ((named || parse.GetValue(reference) is not null || parse.GetValue(transformers) is not null) && parse.GetValue(python) is { } program && !IsProgram(program))
                parse.AddError($"--python: '{program}' is not a program here (give the path of a Python with PyTorch, e.g. /usr/bin/python3).");
        });
        command.SetAction(parse =>
        {
            var settings = new Settings(parse.GetValue(steps), parse.GetValue(warmup), parse.GetValue(imageSize), parse.GetValue(batchSize),
                parse.GetValue(threads), parse.GetValue(memoryFormat) == "channels-last");
            var chosen = parse.GetValue(models) is { Length: > 0 } names ? Models.Where(m => names.Contains(m.Name)).ToArray() : Models;
            var checkouts = new Checkouts(parse.GetValue(reference)?.FullName, parse.GetValue(transformers)?.FullName);
            return parse.GetValue(result) is { } file
                ? MeasureOne(chosen.Single(), settings, checkouts, parse.GetValue(python)!, file.FullName)
                : MeasureAll(chosen, settings, checkouts, parse.GetValue(python)!, parse.GetValue(output)?.FullName);
        });
        return command;
    }

    private static bool IsProgram(string program) =>
        program.Contains(Path.DirectorySeparatorChar)
            ? File.Exists(program)
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, program)));

    /// <summary>The reference checkouts given: the survey code's and the transformer decoders'.</summary>
    internal sealed record Checkouts(string? Survey, string? Transformers)
    {
        public string? For(BenchModel model) => model.Code == ReferenceCode.Survey ? Survey : Transformers;
    }

    /// <summary>Each model in its own process (every peak is its own), then the table.</summary>
    private static int MeasureAll(IReadOnlyList<BenchModel> models, Settings s, Checkouts checkouts, string python, string? csv)
    {
        Console.WriteLine($"bench-models: batch {s.BatchSize}, {s.Threads} threads, median of {s.Steps} train steps after {s.Warmup} untimed " +
                          $"(forward, sum of the outputs' mean squares, backward, Adam), TorchSharp {(s.ChannelsLast ? "channels-last" : "contiguous")}" +
                          (checkouts.Survey is null ? "; no --reference-code, so TorchSharp only for the survey's models" : $"; PyTorch runs {checkouts.Survey} for the survey's models") +
                          (checkouts.Transformers is null ? "; no --transformer-code, so TorchSharp only for InvPT and TaskPrompter" : $"; PyTorch runs {checkouts.Transformers} for InvPT and TaskPrompter"));
        var rows = new List<JsonElement>();
        foreach (var model in models)
        {
            string file = Path.Combine(Path.GetTempPath(), $"mtl-bench-models-{Environment.ProcessId}-{model.Name}.json");
            try
            {
                var arguments = new List<string>
                {
                    "bench-models", "--model", model.Name, "--result", file, "--steps", $"{s.Steps}", "--warmup", $"{s.Warmup}",
                    "--batch-size", $"{s.BatchSize}", "--threads", $"{s.Threads}", "--memory-format", s.ChannelsLast ? "channels-last" : "contiguous", "--python", python,
                };
                if (s.ImageSize is int size) arguments.AddRange(["--image-size", $"{size}"]);
                if (checkouts.Survey is not null) arguments.AddRange(["--reference-code", checkouts.Survey]);
                if (checkouts.Transformers is not null) arguments.AddRange(["--transformer-code", checkouts.Transformers]);
                if (BenchProcesses.RunSelf(arguments) == 0 && File.Exists(file))
                    rows.Add(JsonDocument.Parse(File.ReadAllText(file)).RootElement.Clone());
                else
                    Console.WriteLine($"{model.Name}: not measured (its process failed; see above).");
            }
            finally
            {
                File.Delete(file);
            }
        }
        if (rows.Count == 0) return 1;
        var table = Table(rows);
        Console.WriteLine();
        Console.WriteLine(DeltaM.ToText(table));
        if (csv is not null)
        {
            ResultsCsv.WriteDeltaM(csv, table);
            Console.WriteLine($"bench-models: {csv}");
        }
        return rows.Count == models.Count ? 0 : 1;
    }

    /// <summary>One row per measured model; the ratio is TorchSharp's median step over PyTorch's (below 1: faster).</summary>
    private static DataFrame Table(IReadOnlyList<JsonElement> rows)
    {
        double Get(JsonElement row, string key) => row.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
        return new DataFrame(
            new StringDataFrameColumn("model", rows.Select(r => r.GetProperty("model").GetString())),
            new StringDataFrameColumn("reference config", rows.Select(r => r.GetProperty("config").GetString())),
            new Int32DataFrameColumn("image", rows.Select(r => r.GetProperty("image").GetInt32())),
            new Int64DataFrameColumn("parameters", rows.Select(r => r.GetProperty("parameters").GetInt64())),
            new BooleanDataFrameColumn("same count in PyTorch", rows.Select(r => r.TryGetProperty("torch_parameters", out var p) && p.GetInt64() == r.GetProperty("parameters").GetInt64())),
            new DoubleDataFrameColumn("TorchSharp ms", rows.Select(r => Get(r, "median_ms"))),
            new DoubleDataFrameColumn("PyTorch ms", rows.Select(r => Get(r, "torch_median_ms"))),
            new DoubleDataFrameColumn("ratio", rows.Select(r => Get(r, "median_ms") / Get(r, "torch_median_ms"))),
            new DoubleDataFrameColumn("TorchSharp peak MiB", rows.Select(r => Get(r, "peak_rss_mib"))),
            new DoubleDataFrameColumn("PyTorch peak MiB", rows.Select(r => Get(r, "torch_peak_rss_mib"))));
    }

    /// <summary>One model: PyTorch first (its own process), then TorchSharp here; one line, and the JSON row in <paramref name="file"/>.</summary>
    private static int MeasureOne(BenchModel model, Settings s, Checkouts checkouts, string python, string file)
    {
        set_num_threads(s.Threads);
        int size = s.ImageSize ?? model.ImageSize;
        JsonElement? reference = null;
        string bench = model.Code == ReferenceCode.Survey ? "model_bench.py" : "transformer_bench.py";
        if (checkouts.For(model) is { } checkout && BenchProcesses.FindScript("bench-models", bench) is { } script)
            reference = BenchProcesses.RunPython(python, script, [checkout, model.Config, $"{size}", $"{s.BatchSize}", $"{s.Threads}", $"{s.Steps}", $"{s.Warmup}"]);
        var (parameters, median, peak) = TimeTorchSharp(model, size, s);
        var row = new Dictionary<string, object?>
        {
            ["model"] = model.Name, ["config"] = model.Config, ["image"] = size, ["parameters"] = parameters, ["median_ms"] = median, ["peak_rss_mib"] = peak,
        };
        Console.Write($"{model.Name,-17} {size}x{size}  params {parameters,11:N0}  TorchSharp {median,8:0.0} ms (peak RSS {peak:0} MiB)");
        if (reference is { } r)
        {
            var (torchVersion, torchParameters, torchMs, torchPeak) = (r.GetProperty("torch").GetString(), r.GetProperty("parameters").GetInt64(),
                r.GetProperty("median_ms").GetDouble(), r.GetProperty("peak_rss_mib").GetDouble());
            (row["torch"], row["torch_parameters"], row["torch_median_ms"], row["torch_peak_rss_mib"]) = (torchVersion, torchParameters, torchMs, torchPeak);
            Console.Write($"  PyTorch {torchVersion} {torchMs,8:0.0} ms (peak RSS {torchPeak:0} MiB, params {torchParameters:N0})  ratio {median / torchMs:0.00}");
            if (torchParameters != parameters)
                Console.Write("  PARAMETER COUNTS DIFFER: not the same network");
        }
        Console.WriteLine();
        File.WriteAllText(file, JsonSerializer.Serialize(row));
        return 0;
    }

    /// <summary>The same step as bench/model_bench.py: zero the gradients, forward, the sum over every output (final and
    /// deep supervision) of its mean square, backward, one Adam step (lr 1e-4, weight decay 1e-4).</summary>
    private static (long Parameters, double MedianMs, double PeakMiB) TimeTorchSharp(BenchModel spec, int size, Settings s)
    {
        ResidentMemory.ResetPeak();
        using var model = spec.Builder(size).WithChannelsLast(s.ChannelsLast).Build();
        model.Network.train();
        using var optimizer = ((IOptimizerSpec)Optimizers.Adam(1e-4, 1e-4)).Create(model.Network.parameters());
        using var images = randn(s.BatchSize, 3, size, size);
        var input = model.Input(images);   // the images themselves when contiguous
        var times = new List<double>();
        for (int step = 0; step < s.Warmup + s.Steps; step++)
        {
            var watch = Stopwatch.StartNew();
            using (NewDisposeScope())
            {
                optimizer.zero_grad();
                var outputs = model.Network.call(input);
                outputs.Values.Concat(outputs.Intermediate.Select(i => i.Output)).Select(o => o.square().mean()).Aggregate((a, b) => a + b).backward();
                optimizer.step();
            }
            if (step >= s.Warmup) times.Add(watch.Elapsed.TotalMilliseconds);
        }
        if (!ReferenceEquals(input, images)) input.Dispose();
        times.Sort();
        return (model.Network.ParameterCount(), times[times.Count / 2], ResidentMemory.PeakMiB());
    }
}
