using Microsoft.Data.Analysis;

namespace MtlNotebooks.Analysis;

/// <summary>The same configurations trained once per seed: <see cref="Runs"/>[i] holds the runs of <see cref="Seeds"/>[i],
/// one per configuration in the same order, the first being the single-task baselines (the Δm reference of that seed).
/// Results that vary with the seed are reported over seeds as mean ± std (<see cref="DeltaMTable"/>).</summary>
public sealed class SeededRuns
{
    /// <summary>Checks that every seed has the same configurations, by name and in order, and that no seed repeats.</summary>
    /// <exception cref="ArgumentException">No seeds, a seed given twice, a seed without runs, or configurations that differ between seeds.</exception>
    public SeededRuns(IEnumerable<(int Seed, IReadOnlyList<RunResult> Runs)> perSeed)
    {
        ArgumentNullException.ThrowIfNull(perSeed);
        var list = perSeed.ToList();
        if (list.Count == 0) throw new ArgumentException("At least one seed is needed.", nameof(perSeed));
        if (list.GroupBy(s => s.Seed).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"Seed {twice.Key} appears {twice.Count()} times; each seed is one repetition.", nameof(perSeed));
        var names = list[0].Runs?.Select(r => r.Name).ToArray() ?? [];
        foreach (var (seed, runs) in list)
        {
            if (runs is null || runs.Count == 0) throw new ArgumentException($"Seed {seed} has no runs.", nameof(perSeed));
            var these = runs.Select(r => r.Name).ToArray();
            if (!these.SequenceEqual(names, StringComparer.Ordinal))
                throw new ArgumentException($"Seed {seed} has the runs {string.Join(", ", these)}; seed {list[0].Seed} has {string.Join(", ", names)}. " +
                                            "Every seed repeats the same configurations in the same order.", nameof(perSeed));
        }
        Seeds = list.Select(s => s.Seed).ToArray();
        Runs = list.Select(s => (IReadOnlyList<RunResult>)s.Runs.ToArray()).ToArray();
        Configurations = names;
    }

    /// <summary>The seeds, in the order they were run.</summary>
    public IReadOnlyList<int> Seeds { get; }

    /// <summary>Per seed (in the order of <see cref="Seeds"/>) the runs of every configuration, the baselines first.</summary>
    public IReadOnlyList<IReadOnlyList<RunResult>> Runs { get; }

    /// <summary>The configurations' names, the baselines first.</summary>
    public IReadOnlyList<string> Configurations { get; }

    /// <summary>The runs of one seed.</summary>
    /// <exception cref="ArgumentException">The seed was not run.</exception>
    public IReadOnlyList<RunResult> ForSeed(int seed)
    {
        var index = Seeds.ToList().IndexOf(seed);
        return index >= 0 ? Runs[index] : throw new ArgumentException($"Seed {seed} was not run; the seeds are {string.Join(", ", Seeds)}.", nameof(seed));
    }

    /// <summary>The Δm (%) of <paramref name="configuration"/> per seed, in the order of <see cref="Seeds"/>, each against that
    /// seed's baselines (the first configuration, whose own Δm is 0).</summary>
    /// <exception cref="ArgumentException">No configuration of that name was run.</exception>
    public IReadOnlyList<double> DeltaMs(string configuration)
    {
        var index = Configurations.ToList().IndexOf(configuration);
        if (index < 0)
            throw new ArgumentException($"No configuration '{configuration}' was run; the configurations are {string.Join(", ", Configurations)}.", nameof(configuration));
        return DeltaMs(index);
    }

    /// <summary>The Δm (%) per seed of the configuration at <paramref name="index"/>; an error names the seed and both runs.</summary>
    internal IReadOnlyList<double> DeltaMs(int index) =>
        [.. Runs.Select((seedRuns, s) => index == 0 ? 0.0 : DeltaM.SeedDelta(Seeds[s], seedRuns[0], seedRuns[index]))];

    /// <summary>One row per configuration with each primary metric and Δm as mean and std over the seeds (<see cref="DeltaM.SeedTable"/>).</summary>
    public DataFrame DeltaMTable() => DeltaM.SeedTable(this);

    /// <summary>Every seed's own Δm table (<see cref="DeltaM.PerSeedTable"/>): a "seed" column, then <see cref="DeltaM.Table"/>'s.</summary>
    public DataFrame PerSeedDeltaMTable() => DeltaM.PerSeedTable(this);

    /// <summary>Tables of the same columns, one per seed, one below the other behind a "seed" column.</summary>
    internal static DataFrame Stack(IReadOnlyList<int> seeds, IReadOnlyList<DataFrame> tables)
    {
        var columns = new List<DataFrameColumn>
        {
            new Int32DataFrameColumn(DeltaM.SeedColumn, seeds.SelectMany((seed, s) => Enumerable.Repeat(seed, (int)tables[s].Rows.Count))),
        };
        foreach (var column in tables[0].Columns)
        {
            var values = tables.SelectMany(t => Enumerable.Range(0, (int)t.Rows.Count).Select(r => t.Columns[column.Name][r])).ToList();
            columns.Add(column switch
            {
                StringDataFrameColumn => new StringDataFrameColumn(column.Name, values.Cast<string>()),
                BooleanDataFrameColumn => new BooleanDataFrameColumn(column.Name, values.Cast<bool>()),
                Int64DataFrameColumn => new Int64DataFrameColumn(column.Name, values.Cast<long>()),
                _ => new DoubleDataFrameColumn(column.Name, values.Cast<double>()),
            });
        }
        return new DataFrame(columns);
    }
}
