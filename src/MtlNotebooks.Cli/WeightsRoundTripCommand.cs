using System.CommandLine;
using System.Text.Json;
using MtlNotebooks.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Cli;

/// <summary><c>weights roundtrip</c>: each of the authors' models (the survey code's NYUD models, ASTMT's PASCAL networks;
/// a user's checkout, run by Debian's PyTorch) exchanges weights with the network the builder makes, both ways: its
/// torch.save file loads into ours with the same outputs, and ours (.pth and .safetensors) load into its model with
/// <c>strict=True</c> and the same outputs.</summary>
internal static class WeightsRoundTripCommand
{
    private const double Tolerance = 1e-5;

    /// <summary>One model of one checkout: how the builder makes ours, which script builds theirs, with which arguments.</summary>
    private sealed record RoundTripModel(string Name, string Script, Func<int, MultiTaskNetBuilder> Builder, Func<string, string, int, string, string[]> Arguments);

    private static IEnumerable<RoundTripModel> SurveyModels => ModelBenchCommand.SurveyModels.Select(m =>
        new RoundTripModel(m.Name, "weights_roundtrip.py", m.Builder, (command, checkout, size, folder) => [command, checkout, m.Config, $"{size}", folder]));

    /// <summary>ASTMT's PASCAL networks of Table 3's last row (SE + RA + Adv on SE-ResNet-26) and of its MobileNet-V2 rows
    /// (SE on encoder and decoder + Adv), with their config.py switches.</summary>
    private static readonly RoundTripModel[] AstmtModels =
    [
        Astmt("astmt-se-resnet26", "se_res26", "--seenc True --sedec True --adapt True --dscr fconv", Backbones.SEResNet26(), Architectures.Astmt()),
        Astmt("astmt-se-mobilenet-v2", "se_mobilenet_v2", "--seenc True --sedec True --dscr fconv", Backbones.MobileNetV2(), Architectures.Astmt(adapters: false)),
    ];

    private static RoundTripModel Astmt(string name, string arch, string switches, IBackbone backbone, IArchitecture architecture) =>
        new(name, "astmt_roundtrip.py", _ => MultiTaskNet.CreateBuilder().UseBackbone(backbone)
                .AddTask(DenseTasks.Edges()).AddTask(DenseTasks.SemanticSegmentation(21)).AddTask(DenseTasks.HumanParts(7))
                .AddTask(DenseTasks.SurfaceNormals()).AddTask(DenseTasks.Saliency()).UseArchitecture(architecture),
            (command, checkout, size, folder) => [command, checkout, arch, switches, $"{size}", folder]);

    public static Command Create()
    {
        var reference = new Option<DirectoryInfo?>("--reference-code") { Description = "A checkout of github.com/SimonVandenhende/Multi-Task-Learning-PyTorch (the survey's NYUD models)." };
        var astmt = new Option<DirectoryInfo?>("--astmt-code") { Description = "A checkout of github.com/facebookresearch/astmt (ASTMT's PASCAL networks)." };
        var python = new Option<string>("--python") { Description = "Python with PyTorch (Debian: apt-get install python3-torch python3-torchvision python3-yaml).", DefaultValueFactory = _ => "/usr/bin/python3" };
        var size = new Option<int>("--image-size") { Description = "Input side of the compared forward passes.", DefaultValueFactory = _ => 64 }.AtLeast(32);
        var all = SurveyModels.Concat(AstmtModels).Select(m => m.Name).ToArray();
        var models = new Option<string[]>("--model")
        {
            Description = $"Models (repeatable; default: every model of the checkouts given): {string.Join(", ", all)}.",
            AllowMultipleArgumentsPerToken = true,
        }.AcceptOnlyKeys(all);
        var keep = new Option<DirectoryInfo?>("--keep") { Description = "Keep each model's exchanged files (theirs.pth, theirs_io.pth, ours.pth, ours.safetensors, ours_io.pth) in DIR/<model>." };
        var command = new Command("roundtrip", "Exchange weights with the authors' own models under PyTorch, both ways, and compare outputs (within 1e-5 of the largest output).")
        {
            reference, astmt, python, size, models, keep,
        };
        command.Validators.Add(parse =>
        {
            var (survey, astmtCode) = (parse.GetValue(reference), parse.GetValue(astmt));
            if (survey is not null && !Directory.Exists(Path.Combine(survey.FullName, "configs")))
                parse.AddError($"--reference-code: '{survey.FullName}' is not a checkout of Multi-Task-Learning-PyTorch (it has no configs/ folder).");
            if (astmtCode is not null && !Directory.Exists(Path.Combine(astmtCode.FullName, "fblib")))
                parse.AddError($"--astmt-code: '{astmtCode.FullName}' is not a checkout of astmt (it has no fblib/ folder).");
            foreach (var name in parse.GetValue(models) ?? [])
            {
                if (survey is null && SurveyModels.Any(m => m.Name == name)) parse.AddError($"--model {name} is the survey code's: give --reference-code.");
                if (astmtCode is null && AstmtModels.Any(m => m.Name == name)) parse.AddError($"--model {name} is ASTMT's: give --astmt-code.");
            }
        });
        command.SetAction(parse =>
        {
            // Here, not in a validator: a validator's error would hide the parser's own (a non-number for --image-size).
            if (parse.GetValue(reference) is null && parse.GetValue(astmt) is null)
                return CliError.Report("weights roundtrip needs a checkout of the authors' code: --reference-code (the survey's models) and/or --astmt-code (ASTMT's).");
            var checkouts = new List<(RoundTripModel Model, string Checkout)>();
            if (parse.GetValue(reference) is { } survey) checkouts.AddRange(SurveyModels.Select(m => (m, survey.FullName)));
            if (parse.GetValue(astmt) is { } astmtCode) checkouts.AddRange(AstmtModels.Select(m => (m, astmtCode.FullName)));
            if (parse.GetValue(models) is { Length: > 0 } names) checkouts.RemoveAll(c => !names.Contains(c.Model.Name));
            int failed = 0;
            Console.WriteLine("Largest |PyTorch − ours| over every output, relative to the largest output.");
            Console.WriteLine($"{"model",-22} {"parameters",12}  {"PyTorch → ours",15}  {"ours → PyTorch (.pth, .safetensors)",36}");
            foreach (var (model, checkout) in checkouts)
            {
                if (BenchProcesses.FindScript("weights roundtrip", model.Script) is not { } script) return 1;
                if (!RoundTrip(model, checkout, parse.GetValue(python)!, script, parse.GetValue(size), parse.GetValue(keep)?.FullName)) failed++;
            }
            Console.WriteLine(failed == 0 ? $"Every model crossed both ways within {Tolerance:g}." : $"{failed} model(s) did not.");
            return failed == 0 ? 0 : 1;
        });
        return command;
    }

    private static bool RoundTrip(RoundTripModel model, string checkout, string python, string script, int size, string? keep)
    {
        var folder = keep is null ? Directory.CreateTempSubdirectory("mtl-roundtrip-").FullName : Directory.CreateDirectory(Path.Combine(keep, model.Name)).FullName;
        try
        {
            Console.Write($"{model.Name,-22} ");
            if (BenchProcesses.RunPython(python, script, model.Arguments("write", checkout, size, folder)) is not { } written) { Console.WriteLine(); return false; }
            var tasks = written.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()!).ToArray();

            using var built = model.Builder(size).Build();
            var net = built.Network;
            net.LoadWeights(Path.Combine(folder, "theirs.pth"));
            net.eval();
            double theirsToOurs, scale;
            var outputs = new Dictionary<string, Tensor>();
            using (var io = StateDictFile.Read(Path.Combine(folder, "theirs_io.pth")))
            using (no_grad())
            using (var scope = NewDisposeScope())
            {
                var ours = net.call(io.Tensors["x"]);
                // Relative to the largest output: the deep ResNet-50 models' outputs reach the hundreds.
                theirsToOurs = tasks.Max(t => (ours[t] - io.Tensors[t]).abs().max().item<float>()) / tasks.Max(t => io.Tensors[t].abs().max().item<float>());
                // New values, so the check below cannot pass by reading back PyTorch's own.
                using var step = 0.01.ToScalar();   // held: TorchSharp's implicit scalars can be freed mid-call (HeldScalars)
                foreach (var (_, parameter) in net.named_parameters()) parameter.add_(randn_like(parameter).mul_(step), MtlNotebooks.Runtime.HeldScalars.One);
                outputs["x"] = io.Tensors["x"].clone().MoveToOuterDisposeScope();
                var changed = net.call(outputs["x"]);
                foreach (var task in tasks) outputs[task] = changed[task].clone().MoveToOuterDisposeScope();
                scale = tasks.Max(t => outputs[t].abs().max().item<float>());
            }

            net.SaveWeights(Path.Combine(folder, "ours.pth"), referenceNames: true);
            net.SaveWeights(Path.Combine(folder, "ours.safetensors"), referenceNames: true);
            StateDictFile.Write(Path.Combine(folder, "ours_io.pth"), outputs);
            foreach (var tensor in outputs.Values) tensor.Dispose();
            Console.Write($"{net.ParameterCount(),12:N0}  {theirsToOurs,15:g3}  ");
            if (BenchProcesses.RunPython(python, script, model.Arguments("check", checkout, size, folder)) is not { } checkedBack) { Console.WriteLine(); return false; }
            var back = checkedBack.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
            double pth = back.Where(b => b.Key.StartsWith("pth.")).Max(b => b.Value) / scale;
            double safetensors = back.Where(b => b.Key.StartsWith("safetensors.")).Max(b => b.Value) / scale;
            bool ok = theirsToOurs <= Tolerance && pth <= Tolerance && safetensors <= Tolerance;
            Console.WriteLine($"{pth,17:g3}, {safetensors,-17:g3} {(ok ? "ok" : "DIFFERENT")}");
            return ok;
        }
        catch (Exception e) when (e is InvalidDataException or KeyNotFoundException or JsonException)
        {
            Console.WriteLine($"failed: {e.Message}");
            return false;
        }
        finally
        {
            if (keep is null) Directory.Delete(folder, recursive: true);
        }
    }
}
