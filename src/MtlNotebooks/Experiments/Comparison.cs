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

    /// <summary>The Δm table of <paramref name="runs"/> against the first run (the single-task baselines).</summary>
    public static DataFrame DeltaMTable(IReadOnlyList<RunResult> runs) =>
        runs.Count > 0 ? DeltaM.Table(runs[0], runs.Skip(1)) : throw new ArgumentException("No runs to compare.", nameof(runs));
}
