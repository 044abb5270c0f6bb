using Microsoft.Data.Analysis;
using MtlNotebooks.Analysis;
using MtlNotebooks.Data.Synthetic;

namespace MtlNotebooks.Experiments;

/// <summary>Checks papers' claims by training: each <see cref="ClaimGroup"/> is a quick experiment over the seeds fixed
/// in the options (0…N−1 unless <see cref="QuickExperimentOptions.Seed"/> moves them), in its own folder under the run's,
/// and its claims are checked on its runs (<see cref="Claims.Check(SeededRuns, IEnumerable{PaperClaim}, double)"/>). Everything is validated before the first network
/// trains; an interrupted run continues with <see cref="ExistingRun.Resume"/> (finished networks are read back), and may
/// name more groups than it started with.</summary>
public static class ClaimsExperiment
{
    /// <summary>The claims table of every group, in the run's folder.</summary>
    public const string ClaimsCsvFile = "claims.csv";

    /// <summary>The settings `run claims` and <c>scripts/paper-claims.csx</c> start from: seeds 0–4, 1,024 scenes of 48 × 48
    /// whose classes are told by texture (the tasks compete), 8 epochs, width 8.</summary>
    public static QuickExperimentOptions Defaults { get; } = new()
    {
        Seeds = 5, Epochs = 8, ImageSize = 48, TrainSamples = 1024, ValidationSamples = 128, BatchSize = 8, Width = 8, PreviewSamples = 2,
        Scenes = new SceneOptions { ClassByTexture = 1 },
    };

    /// <summary>A seconds-long run with the same code paths: two seeds, 16 scenes of 32 × 32, one epoch, width 4.</summary>
    public static QuickExperimentOptions Tiny { get; } = Defaults with { Seeds = 2, Epochs = 1, ImageSize = 32, TrainSamples = 16, ValidationSamples = 8, Width = 4 };

    /// <summary>Trains every group and checks its claims. <see cref="QuickExperimentOptions.Dataset"/>,
    /// <see cref="QuickExperimentOptions.Architectures"/>, <see cref="QuickExperimentOptions.Backbone"/> and
    /// <see cref="QuickExperimentOptions.Head"/> come from each group; the rest of <paramref name="options"/> (sizes, epochs,
    /// seeds, scenes, optimiser) is shared.</summary>
    /// <exception cref="ArgumentException">Groups or options do not fit; every problem is listed.</exception>
    public static ClaimsExperimentResult Run(IReadOnlyList<ClaimGroup> groups, QuickExperimentOptions options, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(options);
        log ??= TextWriter.Null;
        var problems = Problems(groups, options).ToList();
        if (problems.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems.Prepend("The claims cannot be checked:")));

        using var folder = RunFolder.Open(options.OutputDirectory ?? RunFolder.NextVersion(Path.Combine("runs", "claims")),
            options.ExistingRun, Settings(options), [ClaimsCsvFile]);
        folder.Commit();
        var results = new List<ClaimResult>();
        var runs = new Dictionary<string, QuickExperimentResult>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            log.WriteLine($"== {group.Name}: {group.Dataset.Description}; {string.Join(", ", group.Arms.Select(a => a.Name))}");
            var groupOptions = ForGroup(group, options, Path.Combine(folder.Folder, group.Name));
            if (folder.Resuming && !File.Exists(Path.Combine(groupOptions.OutputDirectory!, RunFolder.SettingsFile)))
                groupOptions = groupOptions with { ExistingRun = ExistingRun.Refuse };   // not started before the interruption
            var run = QuickExperiment.Run(groupOptions, log);
            runs[group.Name] = run;
            results.AddRange(Claims.Check(run.Seeded, group.Claims));
        }
        var table = Claims.Table(results);
        table.Columns.Insert(0, new StringDataFrameColumn("group", groups.SelectMany(g => g.Claims.Select(_ => g.Name))));
        var csv = Path.Combine(folder.Folder, ClaimsCsvFile);
        ResultsCsv.Write(csv, table);
        return new ClaimsExperimentResult(results, table, runs, csv);
    }

    /// <summary>Everything wrong with the groups and options, each in one sentence; empty when the run can start.</summary>
    public static IEnumerable<string> Problems(IReadOnlyList<ClaimGroup> groups, QuickExperimentOptions options)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(options);
        if (groups.Count == 0) yield return "No claim group was given: pass at least one (PaperClaimGroups.All lists the papers').";
        foreach (var name in groups.GroupBy(g => g.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
            yield return $"Two claim groups are named '{name}'; each needs its own folder.";
        foreach (var problem in groups.SelectMany(g => g.Problems())) yield return problem;
        if (options.Seeds < 2)
            yield return $"A claim is decided by a paired t-test over seeds, so it needs at least 2 (5 or more to decide anything); got {options.Seeds}.";
        foreach (var problem in options.Scenes.Problems()) yield return problem;
        if (!options.Dataset.IsSynthetic || options.DataRoot is not null)
            yield return "The claim groups bring their own task sets on synthetic scenes; leave QuickExperimentOptions.Dataset and DataRoot unset.";
    }

    /// <summary>The options of one group's quick experiment.</summary>
    private static QuickExperimentOptions ForGroup(ClaimGroup group, QuickExperimentOptions options, string folder) => options with
    {
        Dataset = group.Dataset,
        Architectures = group.Arms,
        Backbone = group.Backbone?.Invoke(options.Width) ?? options.Backbone,
        Head = group.Head?.Invoke(options.Width) ?? options.Head,
        OutputDirectory = folder,
    };

    /// <summary>What the run's <c>run.json</c> records: the settings every group shares. The groups are not among them
    /// (each group's folder records its own), so a resumed run may add groups: the cheap tables first, the costly ones later.</summary>
    private static IReadOnlyDictionary<string, string> Settings(QuickExperimentOptions options)
    {
        var settings = new SortedDictionary<string, string>(options.Settings().ToDictionary(), StringComparer.Ordinal);
        foreach (var perGroup in new[] { "dataset", "dataRoot", "architectures", "backbone", "head" }) settings.Remove(perGroup);
        return settings;
    }
}
