// Trains the quick experiment from a script: three single-task baselines and a hard-parameter-sharing network on
// synthetic scenes (semantic segmentation, depth, surface normals), then prints each model's metrics and the Δm table
// (survey eq. 10) and writes the HTML report, metrics.csv, delta_m.csv and checkpoints to the output folder.
//
//   dotnet run --project src/MtlNotebooks.Cli -- script scripts/train.csx -- --epochs 2 --image-size 32
//
// Arguments: --smoke (a seconds-long run with the same code paths; the options below still apply over it), --epochs N,
// --image-size N, --train-samples N, --validation-samples N, --batch-size N, --width N, --seed N, --output DIR
// (default: the next free runs/quick/version_N), --resume (continue the run in --output after an interruption) or
// --overwrite (replace it). A repeated option takes its last value.
#i "nuget: ../artifacts/packages"
#r "nuget: MtlNotebooks, 0.1.0"

using MtlNotebooks.Analysis;
using MtlNotebooks.Experiments;

var defaults = Arguments.Flag("--smoke") ? QuickExperimentOptions.Tiny : new QuickExperimentOptions();
var options = defaults with
{
    Epochs = Arguments.Int("--epochs", defaults.Epochs, min: 1),
    ImageSize = Arguments.Int("--image-size", defaults.ImageSize, min: 1),
    TrainSamples = Arguments.Int("--train-samples", defaults.TrainSamples, min: 1),
    ValidationSamples = Arguments.Int("--validation-samples", defaults.ValidationSamples, min: 1),
    BatchSize = Arguments.Int("--batch-size", defaults.BatchSize, min: 1),
    Width = Arguments.Int("--width", defaults.Width, min: 1),
    Seed = Arguments.Int("--seed", defaults.Seed),
    OutputDirectory = Arguments.OptionalString("--output"),   // none: the next free runs/quick/version_N
    ExistingRun = Arguments.Flag("--resume") ? ExistingRun.Resume : Arguments.Flag("--overwrite") ? ExistingRun.Overwrite : ExistingRun.Refuse,
};
Arguments.RejectUnknown();

var result = QuickExperiment.Run(options, Console.Out);
Console.WriteLine();
Console.WriteLine(DeltaM.ToText(result.DeltaMTable));
Console.WriteLine($"Report: {Path.GetFullPath(result.ReportPath)}");
