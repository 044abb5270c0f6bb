using System.CommandLine;
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
        return data;
    }
}
