// Runs the MTI-Net ablation of Table 2a (ECCV 2020) on synthetic NYUD-like scenes from the command line: single-task
// baselines, hard sharing, PAD-Net, MTI-Net without and with the FPM, each with and without the auxiliary normals task,
// then prints the Δm table (survey eq. 10) with the paper's NYUD-v2 values beside it.
//
//   dotnet run --project src/MtlNotebooks.Cli -- script scripts/mti-net-ablation.csx -- --epochs 8 --image-size 64
//
// Arguments: --smoke (seconds-long, same code paths; the options below still apply over it), --epochs N,
// --image-size N, --train-samples N, --width N, --seed N. A repeated option takes its last value.
#i "nuget: ../artifacts/packages"
#r "nuget: MtlNotebooks, 0.1.0"

using MtlNotebooks;
using MtlNotebooks.Analysis;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Experiments;
using MtlNotebooks.Training;

var smoke = Arguments.Flag("--smoke");
int epochs = Arguments.Int("--epochs", smoke ? 1 : 8, min: 0),
    size = Arguments.Int("--image-size", smoke ? 32 : 64, min: 0),
    trainCount = Arguments.Int("--train-samples", smoke ? 16 : 384, min: 0),
    width = Arguments.Int("--width", smoke ? 8 : 16, min: 0),
    seed = Arguments.Int("--seed", 0, min: 0);
Arguments.RejectUnknown();

var (train, validation) = SyntheticDataset.CreateSplits(trainCount, Math.Max(8, trainCount / 4), size, size, seed);
var main = MultiTaskNet.CreateBuilder().UseBackbone(Backbones.SmallResNet(width))
    .AddTask(DenseTasks.SemanticSegmentation()).AddTask(DenseTasks.Depth()).WithSeed(seed);
var withNormals = main.AddAuxiliaryTask(DenseTasks.SurfaceNormals());
var withoutFpm = Architectures.MtiNet(propagation: FeaturePropagations.None());
var rows = new (string Row, MultiTaskNetBuilder Builder, double Paper)[]
{
    ("Single task", main.UseArchitecture(Architectures.SingleTask()), 0.00),
    ("MTL", main.UseArchitecture(Architectures.HardSharing()), -1.71),
    ("PAD-Net", main.UseArchitecture(Architectures.PadNet()), -0.02),
    ("PAD-Net (N)", withNormals.UseArchitecture(Architectures.PadNet()), 1.65),
    ("Ours (w/o FPM)", main.UseArchitecture(withoutFpm), 3.85),
    ("Ours (w/o FPM) (N)", withNormals.UseArchitecture(withoutFpm), 3.84),
    ("Ours (w/ FPM)", main.UseArchitecture(Architectures.MtiNet()), 6.40),
    ("Ours (w/ FPM) (N)", withNormals.UseArchitecture(Architectures.MtiNet()), 9.57),
};
var options = new TrainingOptions { Epochs = epochs, BatchSize = 8, Optimizer = Optimizers.Adam(2e-3), Seed = seed };
if (smoke) rows = rows.Where((_, i) => i is 0 or 6).ToArray();   // smoke: the code paths, not the table
var runs = Comparison.Run(rows.Select(r => (r.Row, r.Builder)), train, validation, options);
var table = Comparison.DeltaMTable(runs);
table.Columns.Add(new Microsoft.Data.Analysis.DoubleDataFrameColumn("paper Δm (%)", rows.Select(r => r.Paper)));
Console.WriteLine(DeltaM.ToText(table));
train.Dispose();
validation.Dispose();
