using Microsoft.Data.Analysis;
using MtlNotebooks.Analysis;

namespace MtlNotebooks.Experiments;

/// <summary>What the quick experiment produced: the runs, the Δm table and the files written. <paramref name="Runs"/> are
/// the first seed's; <paramref name="Seeded"/> holds every seed's (one seed for a single-seed run), and with several
/// seeds <paramref name="DeltaMTable"/> is <see cref="DeltaM.SeedTable"/> (mean ± std over the seeds) and
/// <paramref name="DeltaMPerSeedCsvPath"/> names each seed's own table; null with one seed.</summary>
public sealed record QuickExperimentResult(
    IReadOnlyList<RunResult> Runs,
    DataFrame DeltaMTable,
    string OutputDirectory,
    string ReportPath,
    string MetricsCsvPath,
    string DeltaMCsvPath,
    IReadOnlyList<string> CheckpointPaths,
    SeededRuns Seeded,
    string? DeltaMPerSeedCsvPath);
