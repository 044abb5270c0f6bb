// Does a scene option make the tasks compete? Trains the single-task networks and a hard-sharing network (semseg,
// depth, normals on a narrow SmallResNet) on scenes drawn with and without the conflict options, over fixed seeds
// 0 … N−1, and prints the transfer (Δm, survey eq. 10, and its per-task terms) and the cosines between the tasks'
// gradients on the shared encoder, per seed and as mean ± std. Writes both tables as CSV into --output.
//
//   dotnet run --project src/MtlNotebooks.Cli -- script scripts/task-conflict.csx -- --seeds 5
//
// Arguments: --smoke (seconds-long, same code paths), --seeds N (3), --epochs N (8), --image-size N (48),
// --train-samples N (1024), --width N (8), --output DIR (runs/task-conflict).
#i "nuget: ../artifacts/packages"
#r "nuget: MtlNotebooks, 0.1.0"

using MtlNotebooks;
using MtlNotebooks.Analysis;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Experiments;

var smoke = Arguments.Flag("--smoke");
var defaults = smoke ? ConflictSweepOptions.Smoke : new ConflictSweepOptions();
var options = defaults with
{
    Seeds = Arguments.Int("--seeds", defaults.Seeds, min: 2),
    Epochs = Arguments.Int("--epochs", defaults.Epochs, min: 1),
    ImageSize = Arguments.Int("--image-size", defaults.ImageSize, min: SyntheticScenes.MinSize),
    TrainSamples = Arguments.Int("--train-samples", defaults.TrainSamples, min: 8),
    Width = Arguments.Int("--width", defaults.Width, min: 1),
};
var output = Arguments.String("--output", Path.Combine("runs", "task-conflict"));
Arguments.RejectUnknown();

(string, SceneOptions)[] settings =
[
    ("class by shape (default)", SceneOptions.Default),
    ("class by colour", new SceneOptions { ClassByColour = 1 }),
    ("class by texture", new SceneOptions { ClassByTexture = 1 }),
];
var perSeed = ConflictSweep.Run(settings, options, Console.Out);
var summary = ConflictSweep.Summary(perSeed);
Directory.CreateDirectory(output);
ResultsCsv.Write(Path.Combine(output, "conflict_per_seed.csv"), perSeed);
ResultsCsv.Write(Path.Combine(output, "conflict.csv"), summary);
Console.WriteLine();
Console.WriteLine(DeltaM.ToText(summary));
Console.WriteLine($"Tables: {Path.Combine(output, "conflict.csv")}, {Path.Combine(output, "conflict_per_seed.csv")}");
