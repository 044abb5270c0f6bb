// Runs the MTI-Net ablation of Table 2a (ECCV 2020) on synthetic NYUD-like scenes from the command line: single-task
// baselines, hard sharing, PAD-Net, MTI-Net without and with the FPM, each with and without the auxiliary normals task,
// then prints the Δm table (survey eq. 10) with the paper's NYUD-v2 values beside it.
//
//   dotnet run --project src/MtlNotebooks.Cli -- script scripts/mti-net-ablation.csx -- --epochs 8 --image-size 64
//
// Arguments: --smoke (seconds-long, same code paths), --epochs N, --image-size N, --train-samples N, --width N, --seed N.
#i "nuget: ../artifacts/packages"
#r "nuget: MtlNotebooks, 0.1.0"

using System.Globalization;
using MtlNotebooks;
using MtlNotebooks.Analysis;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Experiments;
using MtlNotebooks.Training;

var settings = new Dictionary<string, int> { ["--epochs"] = 8, ["--image-size"] = 64, ["--train-samples"] = 384, ["--width"] = 16, ["--seed"] = 0 };
for (var i = 0; i < Args.Count; i++)
{
    if (Args[i] == "--smoke") { settings["--epochs"] = 1; settings["--image-size"] = 32; settings["--train-samples"] = 16; settings["--width"] = 8; continue; }
    if (!settings.ContainsKey(Args[i]))
        throw new ArgumentException($"Unknown argument '{Args[i]}'. Known: --smoke, {string.Join(", ", settings.Keys)}.");
    if (i + 1 >= Args.Count || !int.TryParse(Args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 0)
        throw new ArgumentException($"{Args[i]} needs a whole number, e.g. {Args[i]} 2.");
    settings[Args[i++]] = value;
}

int size = settings["--image-size"], seed = settings["--seed"];
var (train, validation) = SyntheticDataset.CreateSplits(settings["--train-samples"], Math.Max(8, settings["--train-samples"] / 4), size, size, seed);
var main = MultiTaskNet.CreateBuilder().UseBackbone(Backbones.SmallResNet(settings["--width"]))
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
var options = new TrainingOptions { Epochs = settings["--epochs"], BatchSize = 8, Optimizer = Optimizers.Adam(2e-3), Seed = seed };
if (Args.Contains("--smoke")) rows = rows.Where((_, i) => i is 0 or 6).ToArray();   // smoke: the code paths, not the table
var runs = Comparison.Run(rows.Select(r => (r.Row, r.Builder)), train, validation, options);
var table = Comparison.DeltaMTable(runs);
table.Columns.Add(new Microsoft.Data.Analysis.DoubleDataFrameColumn("paper Δm (%)", rows.Select(r => r.Paper)));
Console.WriteLine(DeltaM.ToText(table));
train.Dispose();
validation.Dispose();
