using System.CommandLine;
using MtlNotebooks.Data;
using MtlNotebooks.Data.Synthetic;

namespace MtlNotebooks.Cli;

internal static class DataCommands
{
    public static Command Create()
    {
        var data = new Command("data", "Inspect data sets.");
        var output = new Option<string>("--output") { Description = "PNG file to write.", DefaultValueFactory = _ => "synthetic-samples.png" };
        var samples = new Option<int>("--samples") { Description = "Number of scenes (rows).", DefaultValueFactory = _ => 4 };
        var size = new Option<int>("--image-size") { Description = "Image side.", DefaultValueFactory = _ => 64 };
        var seed = new Option<int>("--seed") { Description = "Seed.", DefaultValueFactory = _ => 0 };
        var preview = new Command("preview", "Save a grid of synthetic scenes with the labels of all six tasks as a PNG.") { output, samples, size, seed };
        preview.SetAction(parse =>
        {
            try
            {
                using var dataset = SyntheticDataset.Create(SyntheticSplit.Train, parse.GetValue(samples), parse.GetValue(size), parse.GetValue(size), parse.GetValue(seed));
                SyntheticPreview.SavePng(parse.GetValue(output)!, dataset, parse.GetValue(samples));
                Console.WriteLine($"Wrote {parse.GetValue(output)} (columns: image, {string.Join(", ", dataset.Tasks)}).");
                return 0;
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }
        });
        data.Add(preview);
        data.Add(Verify());
        data.Add(Describe());
        return data;
    }

    private static Option<string> DataSetOption(IEnumerable<string> choices, string description)
    {
        var option = new Option<string>("--dataset") { Description = description, Required = true };
        option.AcceptOnlyFromAmong(choices.ToArray());
        return option;
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
        verify.SetAction(parse =>
        {
            try
            {
                var manifest = parse.GetValue(manifestPath) is { } path ? DataManifest.Load(path) : DataManifest.ForDataSet(parse.GetValue(dataset)!);
                var report = DataVerifier.Verify(manifest, parse.GetValue(root)!, parse.GetValue(full));
                Console.WriteLine(report.ToText());
                return report.IsValid ? 0 : 1;
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }
        });
        return verify;
    }

    private static Command Describe()
    {
        var dataset = DataSetOption(DataSetPresets.All.Select(p => p.Name), "nyud, pascal, or a synthetic preset (synthetic, synthetic-nyud, synthetic-pascal).");
        var describe = new Command("describe", "Print what a data set provides: tasks with losses and metrics, classes, splits, sizes, loss weights, source.") { dataset };
        describe.SetAction(parse =>
        {
            try
            {
                var preset = DataSetPresets.Get(parse.GetValue(dataset)!);
                if (!preset.IsSynthetic) Console.WriteLine(DataManifest.ForDataSet(preset.Name).Describe());
                else Console.WriteLine($"{preset.Description} ({preset.Name}): generated in memory, any size (default {preset.Height}x{preset.Width}, {preset.TrainCount} train / {preset.ValidationCount} validation).");
                Console.WriteLine();
                Console.WriteLine("Tasks as trained (loss; metrics, primary first):");
                foreach (var task in preset.Tasks)
                {
                    var weight = preset.Weights.FirstOrDefault(w => w.Task == task.Name);
                    Console.WriteLine($"  {task.Name,-12} {task.OutputChannels,3} output channel(s); loss {task.Loss.Name}" +
                                      $"{(weight.Task is null ? "" : $" x {weight.Weight:0.##}")}; metrics {string.Join(", ", task.Metrics.Select(m => m.Name))}");
                }
                return 0;
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }
        });
        return describe;
    }
}
