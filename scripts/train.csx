// Trains the quick experiment from a script: three single-task baselines and a hard-parameter-sharing network on
// synthetic scenes (semantic segmentation, depth, surface normals), then prints each model's metrics and the Δm table
// (survey eq. 10) and writes the HTML report, metrics.csv, delta_m.csv and checkpoints to the output folder.
//
//   dotnet run --project src/MtlNotebooks.Cli -- script scripts/train.csx -- --epochs 2 --image-size 32
//
// Arguments (later ones win): --smoke (a seconds-long run with the same code paths), --epochs N, --image-size N,
// --train-samples N, --validation-samples N, --batch-size N, --width N, --seed N, --output DIR (default runs/quick).
#i "nuget: ../artifacts/packages"
#r "nuget: MtlNotebooks, 0.1.0"

using System.Globalization;
using MtlNotebooks.Analysis;
using MtlNotebooks.Experiments;

var options = new QuickExperimentOptions();
for (var i = 0; i < Args.Count; i++)
{
    var name = Args[i];
    int Number() => i + 1 < Args.Count && int.TryParse(Args[++i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
        ? n
        : throw new ArgumentException($"{name} needs a positive whole number, e.g. {name} 2.");
    options = name switch
    {
        "--smoke" => QuickExperimentOptions.Tiny with { OutputDirectory = options.OutputDirectory },
        "--epochs" => options with { Epochs = Number() },
        "--image-size" => options with { ImageSize = Number() },
        "--train-samples" => options with { TrainSamples = Number() },
        "--validation-samples" => options with { ValidationSamples = Number() },
        "--batch-size" => options with { BatchSize = Number() },
        "--width" => options with { Width = Number() },
        "--seed" => options with { Seed = i + 1 < Args.Count ? int.Parse(Args[++i], CultureInfo.InvariantCulture) : 0 },
        "--output" => options with { OutputDirectory = i + 1 < Args.Count ? Args[++i] : throw new ArgumentException("--output needs a folder.") },
        _ => throw new ArgumentException($"Unknown argument '{name}'. Known: --smoke, --epochs, --image-size, --train-samples, --validation-samples, --batch-size, --width, --seed, --output."),
    };
}

var result = QuickExperiment.Run(options, Console.Out);
Console.WriteLine();
Console.WriteLine(DeltaM.ToText(result.DeltaMTable));
Console.WriteLine($"Report: {Path.GetFullPath(result.ReportPath)}");
