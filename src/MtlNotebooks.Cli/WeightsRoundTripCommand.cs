using System.CommandLine;
using System.Text.Json;
using MtlNotebooks.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Cli;

/// <summary><c>weights roundtrip</c>: each of the survey code's models (a user's checkout, run by Debian's PyTorch)
/// exchanges weights with the network the builder makes, both ways: its torch.save file loads into ours with the same
/// outputs, and ours (.pth and .safetensors) load into its model with <c>strict=True</c> and the same outputs.</summary>
internal static class WeightsRoundTripCommand
{
    private const double Tolerance = 1e-5;

    public static Command Create()
    {
        var reference = new Option<DirectoryInfo>("--reference-code")
        {
            Description = "A checkout of github.com/SimonVandenhende/Multi-Task-Learning-PyTorch.", Required = true,
        };
        var python = new Option<string>("--python") { Description = "Python with PyTorch (Debian: apt-get install python3-torch python3-torchvision python3-yaml).", DefaultValueFactory = _ => "/usr/bin/python3" };
        var size = new Option<int>("--image-size") { Description = "Input side of the compared forward passes.", DefaultValueFactory = _ => 64 }.AtLeast(32);
        var models = new Option<string[]>("--model")
        {
            Description = $"Models (repeatable; default all): {string.Join(", ", ModelBenchCommand.SurveyModels.Select(m => m.Name))}.",
            AllowMultipleArgumentsPerToken = true,
        }.AcceptOnlyKeys(ModelBenchCommand.SurveyModels.Select(m => m.Name));
        var keep = new Option<DirectoryInfo?>("--keep") { Description = "Keep each model's exchanged files (theirs.pth, theirs_io.pth, ours.pth, ours.safetensors, ours_io.pth) in DIR/<model>." };
        var command = new Command("roundtrip", "Exchange weights with the survey code's own models under PyTorch, both ways, and compare outputs (within 1e-5 of the largest output).")
        {
            reference, python, size, models, keep,
        };
        command.Validators.Add(parse =>
        {
            if (parse.GetValue(reference) is { } dir && !Directory.Exists(Path.Combine(dir.FullName, "configs")))
                parse.AddError($"--reference-code: '{dir.FullName}' is not a checkout of Multi-Task-Learning-PyTorch (it has no configs/ folder).");
        });
        command.SetAction(parse =>
        {
            var chosen = parse.GetValue(models) is { Length: > 0 } names ? ModelBenchCommand.SurveyModels.Where(m => names.Contains(m.Name)).ToArray() : [.. ModelBenchCommand.SurveyModels];
            if (BenchProcesses.FindScript("weights roundtrip", "weights_roundtrip.py") is not { } script) return 1;
            int failed = 0;
            Console.WriteLine("Largest |PyTorch − ours| over every output, relative to the largest output.");
            Console.WriteLine($"{"model",-18} {"parameters",12}  {"PyTorch → ours",15}  {"ours → PyTorch (.pth, .safetensors)",36}");
            foreach (var model in chosen)
                if (!RoundTrip(model, parse.GetValue(reference)!.FullName, parse.GetValue(python)!, script, parse.GetValue(size), parse.GetValue(keep)?.FullName)) failed++;
            Console.WriteLine(failed == 0 ? $"Every model crossed both ways within {Tolerance:g}." : $"{failed} model(s) did not.");
            return failed == 0 ? 0 : 1;
        });
        return command;
    }

    private static bool RoundTrip(ModelBenchCommand.BenchModel model, string checkout, string python, string script, int size, string? keep)
    {
        var folder = keep is null ? Directory.CreateTempSubdirectory("mtl-roundtrip-").FullName : Directory.CreateDirectory(Path.Combine(keep, model.Name)).FullName;
        try
        {
            Console.Write($"{model.Name,-18} ");
            string[] Arguments(string command) => [command, checkout, model.Config, $"{size}", folder];
            if (BenchProcesses.RunPython(python, script, Arguments("write")) is not { } written) { Console.WriteLine(); return false; }
            var tasks = written.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()!).ToArray();

            using var built = model.Builder(size).Build();
            var net = built.Network;
            net.SaveWeights(Path.Combine(folder, "ours.pth"));
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
            if (BenchProcesses.RunPython(python, script, Arguments("check")) is not { } checkedBack) { Console.WriteLine(); return false; }
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
