using Microsoft.Data.Analysis;
using MtlNotebooks.Analysis;
using MtlNotebooks.Data;
using MtlNotebooks.Training;

namespace MtlNotebooks.Experiments;

/// <summary>Trains several configurations on the same data with the same options and compares them with Δm — the shape of
/// every table in the papers (a single-task row, then the multi-task rows).</summary>
public static class Comparison
{
    /// <summary>Trains every configuration (validated all together first, so a typo fails before any training) and returns
    /// one <see cref="RunResult"/> per configuration, in order. Models are disposed after training.</summary>
    public static IReadOnlyList<RunResult> Run(IEnumerable<(string Name, MultiTaskNetBuilder Builder)> configurations,
        IMultiTaskDataset train, IMultiTaskDataset validation, TrainingOptions options)
    {
        var list = configurations.ToList();
        var problems = list.SelectMany(c => c.Builder.Plan().Problems.Select(p => $"{c.Name}: {p}")).ToList();
        if (problems.Count > 0) throw new BuildException(problems);
        var runs = new List<RunResult>();
        foreach (var (name, builder) in list)
        {
            using var model = builder.Build();
            var history = Trainer.Fit(model, train, validation, options with { RunName = name, CheckpointPath = null });
            runs.Add(new RunResult(name, model.Plan.Architecture.Name, model.Plan.Balancer.Name, history, model.Network.ParameterCount()));
        }
        return runs;
    }

    /// <summary>Trains every configuration once per seed and returns the runs of every seed (the first configuration is
    /// the Δm reference, usually the single-task baselines). A seed sets both the weight initialisation
    /// (<see cref="MultiTaskNetBuilder.WithSeed"/>, overriding the builders' own) and <see cref="TrainingOptions.Seed"/>
    /// (data order, dropout). The data stay those of <paramref name="train"/> and <paramref name="validation"/> for every
    /// seed: the spread measures training randomness on one data set, not the variation between data samples. Report the
    /// result with <see cref="SeededRuns.DeltaMTable"/> (mean ± std over the seeds).</summary>
    /// <exception cref="ArgumentException">No seeds, or a seed given twice.</exception>
    /// <exception cref="BuildException">A configuration cannot be built; raised before anything is trained.</exception>
    public static SeededRuns RunSeeds(IEnumerable<(string Name, MultiTaskNetBuilder Builder)> configurations,
        IMultiTaskDataset train, IMultiTaskDataset validation, TrainingOptions options, IReadOnlyList<int> seeds)
    {
        ArgumentNullException.ThrowIfNull(configurations);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(seeds);
        if (seeds.Count == 0) throw new ArgumentException("At least one seed is needed.", nameof(seeds));
        if (seeds.GroupBy(s => s).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"Seed {twice.Key} is given {twice.Count()} times; each seed is one repetition.", nameof(seeds));
        var list = configurations.ToList();
        var perSeed = new List<(int Seed, IReadOnlyList<RunResult> Runs)>(seeds.Count);
        foreach (var seed in seeds)
            perSeed.Add((seed, Run(list.Select(c => (c.Name, c.Builder.WithSeed(seed))), train, validation, options with { Seed = seed })));
        return new SeededRuns(perSeed);
    }

    /// <summary>The Δm table of <paramref name="runs"/> against the first run (the single-task baselines).</summary>
    public static DataFrame DeltaMTable(IReadOnlyList<RunResult> runs) =>
        runs.Count > 0 ? DeltaM.Table(runs[0], runs.Skip(1)) : throw new ArgumentException("No runs to compare.", nameof(runs));
}
