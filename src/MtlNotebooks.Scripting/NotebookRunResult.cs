namespace MtlNotebooks.Scripting;

/// <summary>The executed notebook (outputs filled in up to the failing cell) and how the run went. <see cref="TimedOut"/>:
/// the failing cell reached its time limit.</summary>
public sealed record NotebookRunResult(
    NotebookDocument Executed,
    bool Succeeded,
    int? FailedCell,
    string? Error,
    TimeSpan Elapsed,
    IReadOnlyList<(int Cell, TimeSpan Elapsed)> CellTimes)
{
    public bool TimedOut { get; init; }
}
