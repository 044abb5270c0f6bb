// Runs ASTMT's ablation (CVPR 2019, Table 3 b-d; Table 3e with --backbone, Table 4a with --dataset synthetic-nyud) on
// synthetic scenes from the command line: the single-task networks, the multi-task baseline, residual adapters, task SE
// in encoder and decoder or the decoder only, adversarial training, and their combinations, over several seeds. Prints
// the Δm table (mean ± std, survey eq. 10: higher is better) with the paper's PASCAL / NYUD values beside it, and writes
// report.html, metrics.csv, delta_m.csv and a checkpoint per network and seed into --output. An interrupted run continues
// with --resume (finished networks are read from their checkpoints).
//
//   dotnet run --project src/MtlNotebooks.Cli -- script scripts/astmt-ablation.csx -- --seeds 3 --output runs/astmt
//
// Arguments: --smoke (seconds-long, same code paths), --seeds N (3), --epochs N (4), --image-size N (48),
// --train-samples N (96), --width N (8: SE-ResNet-26 at 8/64 width), --backbone se-resnet26|se-resnet50|se-resnet101,
// --dataset synthetic-pascal|synthetic-nyud, --seed N (first seed, 0), --output DIR (runs/astmt), --resume.
#i "nuget: ../artifacts/packages"
#r "nuget: MtlNotebooks, 0.1.0"

using MtlNotebooks;
using MtlNotebooks.Analysis;
using MtlNotebooks.Experiments;
using MtlNotebooks.Modules.SingleTasking;

var smoke = Arguments.Flag("--smoke");
int seeds = Arguments.Int("--seeds", smoke ? 1 : 3, min: 1),
    epochs = Arguments.Int("--epochs", smoke ? 1 : 4, min: 1),
    size = Arguments.Int("--image-size", smoke ? 32 : 48, min: 16),
    trainCount = Arguments.Int("--train-samples", smoke ? 16 : 96, min: 8),
    width = Arguments.Int("--width", 8, min: 1),
    seed = Arguments.Int("--seed", 0, min: 0);
var backboneName = Arguments.String("--backbone", "se-resnet26");
var dataset = DataSetPresets.Get(Arguments.String("--dataset", "synthetic-pascal"));
var output = Arguments.String("--output", Path.Combine("runs", "astmt"));
var resume = Arguments.Flag("--resume");
Arguments.RejectUnknown();

double widthMultiplier = width / 64.0;
IBackbone backbone = backboneName switch
{
    "se-resnet26" => Backbones.SEResNet26(widthMultiplier),
    "se-resnet50" => Backbones.SEResNet50(widthMultiplier),
    "se-resnet101" => Backbones.SEResNet101(widthMultiplier),
    _ => throw new ArgumentException($"--backbone must be se-resnet26, se-resnet50 or se-resnet101, got '{backboneName}'."),
};
bool nyud = dataset.Name == "synthetic-nyud";
// The paper's Δm, turned to the survey's sign (higher is better): Table 3 (PASCAL, R-26) and Table 4a (NYUD, R-50).
var rows = nyud
    ? new (string Name, Astmt Architecture, double Paper)[]
    {
        ("mt-baseline", Architectures.AstmtTable3["astmt-baseline"], -5.44),
        ("se-adversarial", Architectures.AstmtTable3["astmt-se-adversarial"] with { DiscriminatorKernel = 3 }, 1.22),
    }
    : new (string Name, Astmt Architecture, double Paper)[]
    {
        ("mt-baseline", Architectures.AstmtTable3["astmt-baseline"], -6.62),
        ("adapters", Architectures.AstmtTable3["astmt-adapters"], -1.42),
        ("se", Architectures.AstmtTable3["astmt-se"], -0.59),
        ("se-decoder", Architectures.AstmtTable3["astmt-se-decoder"], -1.44),
        ("adversarial", Architectures.AstmtTable3["astmt-adversarial"], -4.34),
        ("se-adversarial", Architectures.AstmtTable3["astmt-se-adversarial"], -0.11),
        ("se-adapters-adversarial", Architectures.AstmtTable3["astmt"], 0.45),
    };
if (smoke) rows = rows.Where((_, i) => i is 0 || i == rows.Length - 1).ToArray();   // smoke: the code paths, not the table

var result = QuickExperiment.Run(new QuickExperimentOptions
{
    Dataset = dataset,
    ImageSize = size,
    TrainSamples = trainCount,
    ValidationSamples = Math.Max(8, trainCount / 3),
    Epochs = epochs,
    BatchSize = 8,
    Width = width,
    Backbone = backbone,
    Seed = seed,
    Seeds = seeds,
    Optimizer = MtlNotebooks.Training.Optimizers.Adam(learningRate: 1e-3),
    Architectures = rows.Select(r => new ExperimentArm(r.Name, r.Architecture)).ToArray(),
    OutputDirectory = output,
    ExistingRun = resume ? ExistingRun.Resume : ExistingRun.Refuse,
}, Console.Out);

var table = result.DeltaMTable;
table.Columns.Add(new Microsoft.Data.Analysis.DoubleDataFrameColumn("paper Δm (%)", rows.Select(r => (double?)r.Paper).Prepend(0.0)));
Console.WriteLine(DeltaM.ToText(table));
Console.WriteLine($"Report: {result.ReportPath}");
