// Sweeps loss balancers on synthetic scenes (semantic segmentation, depth, surface normals): trains the single-task
// baselines once, then a hard-parameter-sharing network with each balancer, and prints the Δm table (survey eq. 10)
// with each balancer's final weights; writes the table as CSV.
//
//   dotnet run --project src/MtlNotebooks.Cli -- script scripts/balancer-sweep.csx -- --balancers uniform,gradnorm,pcgrad --epochs 4
//
// Arguments: --smoke (a seconds-long run with the same code paths; the options below still apply over it),
// --balancers a,b,… (names of Balancers.All; default all), --epochs N, --image-size N, --train-samples N,
// --validation-samples N, --width N, --seed N, --output FILE (default runs/balancer-sweep/delta_m.csv).
// A repeated option takes its last value.
#i "nuget: ../artifacts/packages"
#r "nuget: MtlNotebooks, 0.1.0"

using System.Globalization;
using MtlNotebooks;
using MtlNotebooks.Analysis;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Experiments;
using MtlNotebooks.Training;

var smoke = Arguments.Flag("--smoke");
var names = Arguments.String("--balancers", string.Join(",", Balancers.All.Keys))
    .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
int epochs = Arguments.Int("--epochs", smoke ? 2 : 6, min: 0),
    imageSize = Arguments.Int("--image-size", smoke ? 32 : 48, min: 0),
    trainCount = Arguments.Int("--train-samples", smoke ? 16 : 192, min: 0),
    validationCount = Arguments.Int("--validation-samples", smoke ? 16 : 64, min: 0),
    width = Arguments.Int("--width", smoke ? 4 : 8, min: 0),
    seed = Arguments.Int("--seed", 0, min: 0);
var output = Arguments.String("--output", Path.Combine("runs", "balancer-sweep", "delta_m.csv"));
Arguments.RejectUnknown();
var specs = names.Select(Balancers.FromName).ToList();   // fails on a typo before anything trains

var (train, validation) = SyntheticDataset.CreateSplits(trainCount, validationCount, imageSize, imageSize, seed);
var builder = MultiTaskNet.CreateBuilder()
    .UseBackbone(Backbones.SmallResNet(width))
    .AddTask(DenseTasks.SemanticSegmentation()).AddTask(DenseTasks.Depth()).AddTask(DenseTasks.SurfaceNormals())
    .WithSeed(seed);
var options = new TrainingOptions { Epochs = epochs, BatchSize = 8, Optimizer = Optimizers.Adam(2e-3), Seed = seed };
Console.WriteLine($"{train.Count} training / {validation.Count} validation scenes of {imageSize}x{imageSize}, {epochs} epochs; balancers: {string.Join(", ", names)}");

RunResult Train(string name, MultiTaskNetBuilder configuration)
{
    using var model = configuration.Build();
    var history = Trainer.Fit(model, train, validation, options with { RunName = name });
    var weights = string.Join(", ", history.Steps[^1].Weights.Select(w => $"{w.Key} {w.Value.ToString("0.###", CultureInfo.InvariantCulture)}"));
    Console.WriteLine($"  {name,-12} {history.Elapsed.TotalSeconds,6:0.0} s   final weights: {weights}");
    return new RunResult(name, model.Plan.Architecture.Name, model.Plan.Balancer.Name, history, model.Network.ParameterCount());
}

var baseline = Train("single-task", builder.UseArchitecture(Architectures.SingleTask()));
var runs = names.Zip(specs, (name, spec) => Train(name, builder.UseArchitecture(Architectures.HardSharing()).UseBalancer(spec))).ToList();
var table = DeltaM.Table(baseline, runs);
Console.WriteLine();
Console.WriteLine(DeltaM.ToText(table));
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
ResultsCsv.WriteDeltaM(output, table);
Console.WriteLine($"Δm table: {Path.GetFullPath(output)}");
train.Dispose();
validation.Dispose();
