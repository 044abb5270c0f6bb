// Checks the papers' claims by training (ASTMT Table 3, survey Table V(a)/(b), MTI-Net Table 2a): for each group the
// single-task networks and the networks its claims compare, over fixed seeds 0 … N−1, then per claim both arms' Δm
// (mean ± std), the paired t-test over the seeds and the verdict. Writes claims.csv and, per group, the quick
// experiment's Δm tables, metrics, checkpoints and report into --output; an interrupted run continues with --resume.
//
//   dotnet run --project src/MtlNotebooks.Cli -- script scripts/paper-claims.csx -- --seeds 5 --class-by-texture 1
//
// Arguments: --smoke (seconds-long, same code paths), --seeds N (5), --epochs N (8), --image-size N (48),
// --train-samples N (1024), --validation-samples N (128), --width N (8), --class-by-texture S (1: classes told by
// texture, the setting where the tasks compete; 0 draws the default scenes), --class-by-colour S (0),
// --groups a,b (all: astmt-table3, survey-nyud, survey-pascal, mti-net-table2), --output DIR (runs/paper-claims),
// --resume (may name more groups than the run started with). `mtl run claims` is the same from the command line.
#i "nuget: ../artifacts/packages"
#r "nuget: MtlNotebooks, 0.1.0"

using MtlNotebooks;
using MtlNotebooks.Analysis;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Experiments;

var smoke = Arguments.Flag("--smoke");
var start = smoke ? ClaimsExperiment.Tiny : ClaimsExperiment.Defaults;
var options = start with
{
    Seeds = Arguments.Int("--seeds", start.Seeds, min: 2),
    Epochs = Arguments.Int("--epochs", start.Epochs, min: 1),
    ImageSize = Arguments.Int("--image-size", start.ImageSize, min: SyntheticScenes.MinSize),
    TrainSamples = Arguments.Int("--train-samples", start.TrainSamples, min: 8),
    ValidationSamples = Arguments.Int("--validation-samples", start.ValidationSamples, min: 8),
    Width = Arguments.Int("--width", start.Width, min: 1),
    Scenes = new SceneOptions
    {
        ClassByTexture = Arguments.Double("--class-by-texture", start.Scenes.ClassByTexture),
        ClassByColour = Arguments.Double("--class-by-colour", start.Scenes.ClassByColour),
    },
};
var groupNames = Arguments.String("--groups", smoke ? "survey-pascal,mti-net-table2" : string.Join(",", PaperClaimGroups.All.Select(g => g.Name)));
var output = Arguments.String("--output", Path.Combine("runs", "paper-claims"));
var resume = Arguments.Flag("--resume");
Arguments.RejectUnknown();

var groups = groupNames.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(PaperClaimGroups.Get).ToArray();
var started = DateTime.UtcNow;
var result = ClaimsExperiment.Run(groups, options with
{
    OutputDirectory = output,
    ExistingRun = resume ? ExistingRun.Resume : ExistingRun.Refuse,
}, Console.Out);

Console.WriteLine();
Console.WriteLine(DeltaM.ToText(result.Table));
Console.WriteLine($"{result.Summary}; {(DateTime.UtcNow - started).TotalMinutes:0.0} min.");
Console.WriteLine($"Table: {result.ClaimsCsvPath}");
