using System.Globalization;
using Microsoft.Data.Analysis;
using MtlNotebooks.Analysis;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Modules.EncoderFocused;
using MtlNotebooks.Training;

namespace MtlNotebooks.Experiments;

/// <summary>Does a scene option make the tasks compete? For every setting and seed it trains the single-task networks
/// and a hard-sharing network on semseg, depth and normals (the survey's NYUD task set), then reports the transfer
/// (Δm and its per-task terms, survey eq. 10) and the cosines between the tasks' gradients on the shared encoder
/// (<see cref="GradientAlignment"/>), and the RSA affinity of the single-task networks (<see cref="RepresentationSimilarity"/>,
/// mean over the stages' outputs). Tasks that compete show a falling Δm (negative transfer below 0), falling cosines and a
/// falling affinity.</summary>
public static class ConflictSweep
{
    /// <summary>Column names of the tables.</summary>
    public const string SettingColumn = "setting", SeedColumn = "seed", DeltaMColumn = "Δm (%)", MeanCosineColumn = "mean cosine",
        SingleTaskMiouColumn = "single-task mIoU", MeanAffinityColumn = "mean RSA affinity";

    /// <summary>Validation images the RSA affinity is measured on.</summary>
    public const int ProbeImages = 32;

    private static readonly string[] Tasks = ["semseg", "depth", "normals"];

    /// <summary>Every pair of <see cref="Tasks"/>, in the order of the pair columns.</summary>
    private static readonly (string First, string Second)[] Pairs =
        [.. Tasks.SelectMany((a, i) => Tasks.Skip(i + 1).Select(b => (a, b)))];

    /// <summary>One row per setting and seed: the single-task mIoU, Δm, each task's term, each pair's gradient cosine and
    /// RSA affinity, and their means. Seeds are 0 … <see cref="ConflictSweepOptions.Seeds"/> − 1, fixed before the run.</summary>
    /// <exception cref="ArgumentException">No settings, two with one name, or unusable options; every problem is named.</exception>
    public static DataFrame Run(IReadOnlyList<(string Name, SceneOptions Scenes)> settings, ConflictSweepOptions options, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems().Concat(settings.SelectMany(s => s.Scenes?.Problems() ?? ["A setting has no SceneOptions."])).ToList();
        if (settings.Count == 0) problems.Add("ConflictSweep needs at least one setting.");
        problems.AddRange(settings.GroupBy(s => s.Name).Where(g => g.Count() > 1).Select(g => $"Two settings are named '{g.Key}'; give each its own name."));
        if (problems.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems));
        log ??= TextWriter.Null;

        var rows = new List<(string Setting, int Seed, double Miou, double DeltaM, IReadOnlyList<(string Task, double Percent)> Terms, double[] Cosines, double[] Affinities)>();
        foreach (var (name, scenes) in settings)
        for (int seed = 0; seed < options.Seeds; seed++)
        {
            var (train, validation) = SyntheticDataset.CreateSplits(options.TrainSamples, options.ValidationSamples, options.ImageSize, options.ImageSize, seed, scenes);
            using (train)
            using (validation)
            {
                var training = new TrainingOptions { Epochs = options.Epochs, BatchSize = options.BatchSize, Seed = seed, Optimizer = options.Optimizer };
                using var single = Builder(options, seed).UseArchitecture(Architectures.SingleTask()).Build();
                var baseline = Trainer.Fit(single, train, validation, training with { RunName = $"{name} · single-task · seed {seed}" }).Final;
                var affinities = Affinities(single, validation);
                using var shared = Builder(options, seed).UseArchitecture(Architectures.HardSharing()).Build();
                var multi = Trainer.Fit(shared, train, validation, training with { RunName = $"{name} · hard-sharing · seed {seed}" }).Final;
                var alignment = GradientAlignment.Measure(shared, validation, options.AlignmentBatches, options.BatchSize);
                var cosines = Pairs.Select(p => alignment.Single(r => r.First == p.First && r.Second == p.Second).Cosine).ToArray();
                rows.Add((name, seed, baseline.Get("semseg"), DeltaM.Compute(baseline, multi), DeltaM.PerTask(baseline, multi), cosines, affinities));
                log.WriteLine($"{name}, seed {seed}: Δm {rows[^1].DeltaM:+0.00;-0.00} %, mean gradient cosine {cosines.Average():0.000}");
            }
        }

        var columns = new List<DataFrameColumn>
        {
            new StringDataFrameColumn(SettingColumn, rows.Select(r => r.Setting)),
            new PrimitiveDataFrameColumn<int>(SeedColumn, rows.Select(r => r.Seed)),
            new DoubleDataFrameColumn(SingleTaskMiouColumn, rows.Select(r => r.Miou)),
            new DoubleDataFrameColumn(DeltaMColumn, rows.Select(r => r.DeltaM)),
        };
        columns.AddRange(Tasks.Select(t => new DoubleDataFrameColumn($"Δ {t} (%)", rows.Select(r => r.Terms.Single(x => x.Task == t).Percent))));
        columns.AddRange(Pairs.Select((p, k) => new DoubleDataFrameColumn($"cos {p.First}/{p.Second}", rows.Select(r => r.Cosines[k]))));
        columns.Add(new DoubleDataFrameColumn(MeanCosineColumn, rows.Select(r => r.Cosines.Average())));
        columns.AddRange(Pairs.Select((p, k) => new DoubleDataFrameColumn($"RSA {p.First}/{p.Second}", rows.Select(r => r.Affinities[k]))));
        columns.Add(new DoubleDataFrameColumn(MeanAffinityColumn, rows.Select(r => r.Affinities.Average())));
        return new DataFrame(columns);
    }

    /// <summary>One row per setting, in the sweep's order: every numeric column of <paramref name="perSeed"/> as
    /// "mean ± std" over the seeds (sample standard deviation), so a change smaller than the spread reads as noise.</summary>
    public static DataFrame Summary(DataFrame perSeed)
    {
        ArgumentNullException.ThrowIfNull(perSeed);
        var rowsOf = Enumerable.Range(0, (int)perSeed.Rows.Count).GroupBy(i => (string)perSeed[SettingColumn][i]).ToArray();
        var columns = new List<DataFrameColumn> { new StringDataFrameColumn(SettingColumn, rowsOf.Select(g => g.Key)) };
        foreach (var column in perSeed.Columns.Where(c => c is DoubleDataFrameColumn))
        {
            string format = column.Name.EndsWith("(%)", StringComparison.Ordinal) || column.Name == SingleTaskMiouColumn ? "0.00" : "0.000";
            columns.Add(new StringDataFrameColumn(column.Name, rowsOf.Select(g =>
            {
                var (mean, std) = DeltaM.MeanAndStd([.. g.Select(i => (double)column[i])]);
                return $"{mean.ToString(format, CultureInfo.InvariantCulture)} ± {std.ToString(format, CultureInfo.InvariantCulture)}";
            })));
        }
        return new DataFrame(columns);
    }

    /// <summary>Per pair of <see cref="Pairs"/>, the RSA affinity of their single-task networks averaged over the stages'
    /// outputs, on the first <see cref="ProbeImages"/> validation images.</summary>
    private static double[] Affinities(MultiTaskModel single, IMultiTaskDataset validation)
    {
        using var batch = validation.GetBatch([.. Enumerable.Range(0, Math.Min(ProbeImages, validation.Count))]);
        var affinity = RepresentationSimilarity.Measure(single.Network, batch.Images);
        return [.. Pairs.Select(p => Enumerable.Range(0, affinity.BranchPoints.Count).Average(d => affinity.Affinity(d, p.First, p.Second)))];
    }

    private static MultiTaskNetBuilder Builder(ConflictSweepOptions options, int seed) => MultiTaskNet.CreateBuilder()
        .UseBackbone(Backbones.SmallResNet(options.Width))
        .AddTask(DenseTasks.SemanticSegmentation()).AddTask(DenseTasks.Depth()).AddTask(DenseTasks.SurfaceNormals())
        .WithSeed(seed);
}
