using System.CommandLine;
using MtlNotebooks.Data;
using MtlNotebooks.Data.Synthetic;

namespace MtlNotebooks.Cli;

/// <summary><c>data preview</c>, <c>data verify</c> and <c>data describe</c>: look at data sets before training on them.</summary>
internal static class DataCommands
{
    public static Command Create()
    {
        var data = new Command("data", "Inspect data sets.");
        data.Add(Preview());
        data.Add(Verify());
        data.Add(Describe());
        return data;
    }

    private static Option<string> DataSetOption(IEnumerable<string> choices, string description) =>
        new Option<string>("--dataset") { Description = description, Required = true }.AcceptOnlyKeys(choices);

    private static Command Preview()
    {
        var output = new Option<string>("--output") { Description = "PNG file to write.", DefaultValueFactory = _ => "synthetic-samples.png" };
        var samples = new Option<int>("--samples") { Description = "Number of scenes (rows).", DefaultValueFactory = _ => 4 }.AtLeast(1);
        var size = new Option<int>("--image-size") { Description = "Image side.", DefaultValueFactory = _ => 64 }
            .Between(SyntheticScenes.MinSize, SyntheticScenes.MaxSize);
        var seed = new Option<int>("--seed") { Description = "Seed.", DefaultValueFactory = _ => 0 };
        var preview = new Command("preview", "Save a grid of synthetic scenes with the labels of all six tasks as a PNG.") { output, samples, size, seed };
        preview.SetAction(parse => PathProblems.OfFile("--output", parse.GetValue(output)) is { } problem
            ? CliError.Report(problem)
            : CliError.ReportingFileErrors(() => SavePreview(parse.GetValue(output)!, parse.GetValue(samples), parse.GetValue(size), parse.GetValue(seed))));
        return preview;
    }

    private static int SavePreview(string path, int samples, int size, int seed)
    {
        using var dataset = SyntheticDataset.Create(SyntheticSplit.Train, samples, size, size, seed);
        SyntheticPreview.SavePng(path, dataset, samples);
        Console.WriteLine($"Wrote {path} (columns: image, {string.Join(", ", dataset.Tasks)}).");
        return 0;
    }

    private static Command Verify()
    {
        var root = new Argument<string>("root") { Description = "The data set's root folder." };
        var dataset = DataSetOption(DataManifest.KnownFiles.Keys, "nyud or pascal.");
        var manifestPath = new Option<string?>("--manifest") { Description = "A manifest file to use instead of data-manifests/<data set>.json." };
        var full = new Option<bool>("--full") { Description = "Decode every label and check its values (slower); by default headers, sizes and counts are checked." };
        var verify = new Command("verify", "Check a data set folder against its manifest: split lists and counts, missing or unreadable files, label sizes.")
        {
            root, dataset, manifestPath, full,
        };
        verify.SetAction(parse => CliError.ReportingFileErrors(() =>
        {
            var manifest = parse.GetValue(manifestPath) is { } path ? DataManifest.Load(path) : DataManifest.ForDataSet(parse.GetValue(dataset)!);
            return VerifyFolder(manifest, parse.GetValue(root)!, parse.GetValue(full));
        }));
        return verify;
    }

    private static int VerifyFolder(DataManifest manifest, string root, bool full)
    {
        var report = DataVerifier.Verify(manifest, root, full);
        Console.WriteLine(report.ToText());
        return report.IsValid ? 0 : 1;
    }

    private static Command Describe()
    {
        var dataset = DataSetOption(DataSetPresets.All.Select(p => p.Name), "nyud, pascal, or a synthetic preset (synthetic, synthetic-nyud, synthetic-pascal).");
        var describe = new Command("describe", "Print what a data set provides: tasks with losses and metrics, classes, splits, sizes, loss weights, source.") { dataset };
        describe.SetAction(parse => CliError.ReportingFileErrors(() =>
        {
            var preset = DataSetPresets.Get(parse.GetValue(dataset)!);
            PrintSource(preset);
            Console.WriteLine();
            PrintTasks(preset);
            return 0;
        }));
        return describe;
    }

    /// <summary>A real set's manifest description, or how a synthetic preset is generated.</summary>
    private static void PrintSource(DataSetPreset preset)
    {
        if (!preset.IsSynthetic) Console.WriteLine(DataManifest.ForDataSet(preset.Name).Describe());
        else Console.WriteLine($"{preset.Description} ({preset.Name}): generated in memory, any size (default {preset.Height}x{preset.Width}, {preset.TrainCount} train / {preset.ValidationCount} validation).");
    }

    private static void PrintTasks(DataSetPreset preset)
    {
        Console.WriteLine("Tasks as trained (loss; metrics, primary first):");
        foreach (var task in preset.Tasks)
        {
            var weight = preset.Weights.FirstOrDefault(w => w.Task == task.Name);
            Console.WriteLine($"  {task.Name,-12} {task.OutputChannels,3} output channel(s); loss {task.Loss.Name}" +
                              $"{(weight.Task is null ? "" : $" x {weight.Weight:0.##}")}; metrics {string.Join(", ", task.Metrics.Select(m => m.Name))}");
        }
    }
}
