// Sweeps loss balancers on synthetic scenes (semantic segmentation, depth, surface normals): trains the single-task
// baselines once, then a hard-parameter-sharing network with each balancer, and prints the Δm table (survey eq. 10)
// with each balancer's final weights; writes the table as CSV.
//
//   dotnet run --project src/MtlNotebooks.Cli -- script scripts/balancer-sweep.csx -- --balancers uniform,gradnorm,pcgrad --epochs 4
//
// Arguments (later ones win): --smoke (a seconds-long run with the same code paths), --balancers a,b,… (names of
// Balancers.All; default all), --epochs N, --image-size N, --train-samples N, --validation-samples N, --width N,
// --seed N, --output FILE (default runs/balancer-sweep/delta_m.csv).
#i "nuget: ../artifacts/packages"
#r "nuget: MtlNotebooks, 0.1.0"

using System.Globalization;
using MtlNotebooks;
using MtlNotebooks.Analysis;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Training;

var names = Balancers.All.Keys.ToList();
int epochs = 6, imageSize = 48, trainCount = 192, validationCount = 64, width = 8, seed = 0;
var output = Path.Combine("runs", "balancer-sweep", "delta_m.csv");
for (var i = 0; i < Args.Count; i++)
{
    var name = Args[i];
    string Value() => i + 1 < Args.Count ? Args[++i] : throw new ArgumentException($"{name} needs a value.");
    int Number() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
        ? n
        : throw new ArgumentException($"{name} needs a whole number, e.g. {name} 2.");
    switch (name)
    {
        case "--smoke": (epochs, imageSize, trainCount, validationCount, width) = (2, 32, 16, 16, 4); break;
        case "--balancers": names = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(); break;
        case "--epochs": epochs = Number(); break;
        case "--image-size": imageSize = Number(); break;
        case "--train-samples": trainCount = Number(); break;
        case "--validation-samples": validationCount = Number(); break;
        case "--width": width = Number(); break;
        case "--seed": seed = Number(); break;
        case "--output": output = Value(); break;
        default: throw new ArgumentException($"Unknown argument '{name}'. Known: --smoke, --balancers, --epochs, --image-size, --train-samples, --validation-samples, --width, --seed, --output.");
    }
}
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
