using Microsoft.Data.Analysis;
using MtlNotebooks.Analysis;

namespace MtlNotebooks.Experiments;

/// <summary>What the quick experiment produced: the runs, the Δm table and the files written.</summary>
public sealed record QuickExperimentResult(
    IReadOnlyList<RunResult> Runs,
    DataFrame DeltaMTable,
    string OutputDirectory,
    string ReportPath,
    string MetricsCsvPath,
    string DeltaMCsvPath,
    IReadOnlyList<string> CheckpointPaths);
