using System.CommandLine;
using MtlNotebooks.Analysis;
using MtlNotebooks.Experiments;
using MtlNotebooks.Training;

namespace MtlNotebooks.Cli;

internal static class RunCommands
{
    public static Command Create()
    {
        var run = new Command("run", "Run an experiment.");
        run.Add(Quick());
        return run;
    }

    private static Command Quick()
    {
        var defaults = new QuickExperimentOptions();
        var tiny = new Option<bool>("--tiny") { Description = "A seconds-long smoke run (32x32 images, a few batches, narrow network)." };
        var epochs = new Option<int?>("--epochs") { Description = $"Training epochs per network (default {defaults.Epochs})." };
        var imageSize = new Option<int?>("--image-size") { Description = $"Side of the square synthetic images (default {defaults.ImageSize})." };
        var trainSamples = new Option<int?>("--train-samples") { Description = $"Synthetic training scenes (default {defaults.TrainSamples})." };
        var valSamples = new Option<int?>("--val-samples") { Description = $"Synthetic validation scenes (default {defaults.ValidationSamples})." };
        var batchSize = new Option<int?>("--batch-size") { Description = $"Batch size (default {defaults.BatchSize})." };
        var width = new Option<int?>("--width") { Description = $"Backbone width: channels of the first stage (default {defaults.Width})." };
        var lr = new Option<double?>("--lr") { Description = $"Learning rate (default {defaults.Optimizer.LearningRate})." };
        var optimizer = new Option<string>("--optimizer") { Description = "adam or sgd.", DefaultValueFactory = _ => "adam" };
        optimizer.AcceptOnlyFromAmong("adam", "sgd");
        var seed = new Option<int>("--seed") { Description = "Seed of data, initialisation and data order.", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "cpu or cuda (cuda needs the TorchSharp-cuda-linux build).", DefaultValueFactory = _ => "cpu" };
        var architectures = new Option<string[]>("--architecture")
        {
            Description = $"Multi-task architecture(s) to compare with the single-task baselines: {string.Join(", ", Architectures.All.Keys.Where(k => k != "single-task"))} (repeatable).",
            DefaultValueFactory = _ => ["hard-sharing"],
            AllowMultipleArgumentsPerToken = true,
        };
        architectures.AcceptOnlyFromAmong(Architectures.All.Keys.Where(k => k != "single-task").ToArray());
        var output = new Option<string>("--output") { Description = "Run folder for report.html, metrics.csv and checkpoints.", DefaultValueFactory = _ => Path.Combine("runs", "quick") };
        var dataset = new Option<string>("--dataset")
        {
            Description = "Data set and task set: synthetic (semseg, depth, normals), synthetic-nyud, synthetic-pascal (the real sets' tasks and loss weights on synthetic scenes), nyud or pascal (real data, needs --data-root).",
            DefaultValueFactory = _ => "synthetic",
        };
        dataset.AcceptOnlyFromAmong(DataSetPresets.All.Select(p => p.Name).ToArray());
        var balancer = new Option<string?>("--balancer")
        {
            Description = $"Loss balancer of the multi-task network(s): {string.Join(", ", Balancers.All.Keys)} (default: the data set's weights; the single-task baselines keep them).",
        };
        balancer.AcceptOnlyFromAmong(Balancers.All.Keys.ToArray());
        var dataRoot = new Option<string?>("--data-root") { Description = "Root folder of the real data set (layout: data-manifests/*.json; check it with `data verify`)." };

        var quick = new Command("quick",
            "Train single-task baselines and a hard-sharing network on synthetic data (semseg, depth, normals); " +
            "print per-task metrics and Δm; write report.html, metrics.csv and checkpoints.")
        {
            tiny, dataset, dataRoot, architectures, balancer, epochs, imageSize, trainSamples, valSamples, batchSize, width, lr, optimizer, seed, device, output,
        };
        var backbone = new Option<string?>("--backbone") { Description = $"Backbone of every network: {string.Join(", ", Backbones.All.Keys)} (default: SmallResNet of --width)." };
        backbone.AcceptOnlyFromAmong(Backbones.All.Keys.ToArray());
        quick.Add(backbone);
        var head = new Option<string?>("--head") { Description = $"Head of the single-task and hard-sharing networks: {string.Join(", ", Heads.All.Keys)} (default: conv)." };
        head.AcceptOnlyFromAmong(Heads.All.Keys.ToArray());
        quick.Add(head);
        quick.SetAction(parse =>
        {
            var options = parse.GetValue(tiny) ? QuickExperimentOptions.Tiny : new QuickExperimentOptions();
            options = options with { Backbone = parse.GetValue(backbone) ?? options.Backbone, Head = parse.GetValue(head) ?? options.Head };
            double learningRate = parse.GetValue(lr) ?? options.Optimizer.LearningRate;
            options = options with
            {
                Epochs = parse.GetValue(epochs) ?? options.Epochs,
                Architectures = parse.GetValue(architectures)!,
                Balancer = parse.GetValue(balancer) is { } name ? Balancers.FromName(name) : null,
                Dataset = parse.GetValue(dataset)!,
                DataRoot = parse.GetValue(dataRoot),
                ImageSize = parse.GetValue(imageSize) ?? options.ImageSize,
                TrainSamples = parse.GetValue(trainSamples) ?? options.TrainSamples,
                ValidationSamples = parse.GetValue(valSamples) ?? options.ValidationSamples,
                BatchSize = parse.GetValue(batchSize) ?? options.BatchSize,
                Width = parse.GetValue(width) ?? options.Width,
                Seed = parse.GetValue(seed),
                Device = parse.GetValue(device)!,
                OutputDirectory = parse.GetValue(output)!,
                Optimizer = parse.GetValue(optimizer) == "sgd" ? Optimizers.Sgd(parse.GetValue(lr) ?? 0.05) : Optimizers.Adam(learningRate),
            };
            try
            {
                var started = DateTime.UtcNow;
                var result = QuickExperiment.Run(options, Console.Out, (name, work) => ConsoleProgress.Run(name, work));
                Console.WriteLine();
                Console.WriteLine(DeltaM.ToText(result.DeltaMTable));
                Console.WriteLine();
                Console.WriteLine($"Report:      {result.ReportPath}");
                Console.WriteLine($"Metrics:     {result.MetricsCsvPath}");
                Console.WriteLine($"Δm table:    {result.DeltaMCsvPath}");
                Console.WriteLine($"Checkpoints: {string.Join(", ", result.CheckpointPaths)}");
                Console.WriteLine($"Finished in {DateTime.UtcNow - started:m\\:ss}.");
                return 0;
            }
            catch (Exception ex) when (ex is ArgumentException or BuildException or TrainingDivergedException or CheckpointException or IOException or UnauthorizedAccessException or NotSupportedException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }
        });
        return quick;
    }
}
