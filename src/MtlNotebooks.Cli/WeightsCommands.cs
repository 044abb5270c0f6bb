using System.CommandLine;
using MtlNotebooks.Analysis;
using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Weights;

namespace MtlNotebooks.Cli;

/// <summary><c>weights inspect</c> and <c>weights convert</c>: PyTorch's files (.pth, .pth.tar checkpoints, legacy
/// torch.save), .safetensors and TorchSharp's format, looked at and converted without Python.</summary>
internal static class WeightsCommands
{
    public static Command Create()
    {
        var weights = new Command("weights", "Look at and convert weight files: torch.save (.pth, .pt, .pth.tar), .safetensors, TorchSharp's .dat.");
        weights.Add(Inspect());
        weights.Add(Convert());
        weights.Add(WeightsRoundTripCommand.Create());
        return weights;
    }

    private static Command Inspect()
    {
        var file = new Argument<string>("file") { Description = "The weights file." };
        var all = new Option<bool>("--all") { Description = "List every tensor (by default the first 20)." };
        var inspect = new Command("inspect", "Print a weights file's format, tensors (name, shape, type) and which of the library's networks it fits, with the missing and unexpected keys of the closest ones.")
        {
            file, all,
        };
        inspect.SetAction(parse => CliError.ReportingFileErrors(() => PrintInspection(parse.GetValue(file)!, parse.GetValue(all))));
        return inspect;
    }

    private static int PrintInspection(string path, bool all)
    {
        Dictionary<string, long[]> shapes;
        using (var loaded = StateDictFile.Read(path))
        {
            long values = loaded.Tensors.Values.Sum(t => t.numel());
            Console.WriteLine($"{path}: {loaded.Describe()}, {TableCells.Number(values)} values.");
            var shown = all ? loaded.Tensors.ToArray() : loaded.Tensors.Take(20).ToArray();
            int width = shown.Select(t => t.Key.Length).DefaultIfEmpty(4).Max();
            foreach (var (name, tensor) in shown)
                Console.WriteLine($"  {name.PadRight(width)}  [{string.Join(", ", tensor.shape)}]  {tensor.dtype}");
            if (shown.Length < loaded.Tensors.Count) Console.WriteLine($"  … {loaded.Tensors.Count - shown.Length} more (--all lists them)");
            shapes = loaded.Tensors.ToDictionary(t => t.Key, t => t.Value.shape);
        }

        Console.WriteLine();
        var ranked = WeightFits.Rank(shapes);
        var fits = ranked.Where(r => r.Problems.Count == 0).ToArray();
        foreach (var (candidate, _, _) in fits)
            Console.WriteLine($"Fits {candidate.Name}: {candidate.Call}" +
                              (candidate.Skippable is not null ? " (its ImageNet head is skipped)." : "."));
        if (fits.Length > 0) return 0;
        if ((AstmtModelFit.Find(shapes) ?? SurveyModelFit(shapes)) is { } model)
        {
            Console.WriteLine(model);
            return 0;
        }
        Console.WriteLine("Fits none of the library's ImageNet backbones at the papers' sizes, nor a NYUD model of the survey code, nor an ASTMT network; the closest backbones:");
        foreach (var (candidate, problems, _) in ranked.Take(2))
        {
            Console.WriteLine($"  {candidate.Name}:");
            foreach (var problem in problems) Console.WriteLine($"    {Shorten(problem)}");
        }
        Console.WriteLine("A multi-task network's file fits the network built from the same configuration: net.LoadWeights(file).");
        return 0;
    }

    /// <summary>The survey code's NYUD model (the networks <c>bench-models</c> and <c>weights roundtrip</c> build) whose
    /// state dict the file is, under the library's names or the code's own; null when none. Stops at the first.</summary>
    private static string? SurveyModelFit(IReadOnlyDictionary<string, long[]> shapes)
    {
        bool Same(IReadOnlyDictionary<string, long[]> keys) => AstmtModelFit.SameKeys(keys, shapes);

        foreach (var model in ModelBenchCommand.SurveyModels)
        {
            using var built = model.Builder(model.ImageSize).Build();
            var ours = built.Network.state_dict().ToDictionary(t => t.Key, t => t.Value.shape);
            string? names = Same(ours) ? "the library's names"
                : built.Network is IReferenceKeys { ReferenceKeys: var map } && Same(ours.ToDictionary(t => map.ToReference(t.Key), t => t.Value)) ? "the code's own names"
                : null;
            if (names is not null)
                return $"Fits the survey code's {model.Config} under {names}: the network `mtl bench-models --model {model.Name}` builds " +
                       $"({built.Network.ParameterCount():N0} parameters); load it with net.LoadWeights(file).";
        }
        return null;
    }

    private static string Shorten(string problem) => problem.Length <= 300 ? problem : problem[..297] + "…";

    private static Command Convert()
    {
        var input = new Argument<string>("input") { Description = "The weights file to read: torch.save (.pth, .pth.tar), .safetensors, .dat, or a training run's .ckpt." };
        var output = new Argument<string>("output") { Description = "The file to write; its extension names the format: .safetensors, .pth (.pt, .pth.tar) or .dat." };
        var convert = new Command("convert", "Convert a weights file: a checkpoint's state dict (DataParallel's 'module.' prefix removed) written as safetensors, torch.save or TorchSharp's format.")
        {
            input, output,
        };
        convert.SetAction(parse => CliError.ReportingFileErrors(() => ConvertFile(parse.GetValue(input)!, parse.GetValue(output)!)));
        return convert;
    }

    private static int ConvertFile(string input, string output)
    {
        var format = StateDictFile.FormatFor(output);
        if (File.Exists(output) || Directory.Exists(output))
            return CliError.Report($"output '{output}' already exists; remove it or choose another name (a file is never overwritten by a conversion).");
        if (PathProblems.OfFile("output", output) is { } problem) return CliError.Report(problem);
        using var loaded = StateDictFile.Read(input);
        // Written beside the output under a temporary name, then moved without overwriting: a file that appeared
        // meanwhile is kept and the conversion fails.
        var temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output))!, $".{Path.GetFileName(output)}.{Guid.NewGuid():N}{Path.GetExtension(output)}");
        try
        {
            StateDictFile.Write(temporary, loaded.Tensors);
            File.Move(temporary, output, overwrite: false);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
        Console.WriteLine($"Wrote {output} ({format}, {loaded.Tensors.Count} tensors) from {input} ({loaded.Describe()}).");
        return 0;
    }
}
