using Microsoft.Data.Analysis;
using MtlNotebooks.Analysis;

namespace MtlNotebooks.Experiments;

/// <summary>What <see cref="ClaimsExperiment"/> produced: every claim's result, the claims table (a "group" column, then
/// <see cref="Claims.Table"/>'s), each group's quick experiment by group name, and the CSV of the table.</summary>
public sealed record ClaimsExperimentResult(
    IReadOnlyList<ClaimResult> Claims,
    DataFrame Table,
    IReadOnlyDictionary<string, QuickExperimentResult> Groups,
    string ClaimsCsvPath)
{
    /// <summary><see cref="Analysis.Claims.Summary"/> of all claims.</summary>
    public string Summary => Analysis.Claims.Summary(Claims);
}
