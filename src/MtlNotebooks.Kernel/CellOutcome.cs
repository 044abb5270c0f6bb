using System.Text.Json.Nodes;

namespace MtlNotebooks.Kernel;

/// <summary>How a cell ended: its execution count and, when it failed, the error (ename, evalue, traceback) that the
/// execute_reply repeats.</summary>
public sealed record CellOutcome(int ExecutionCount, string? ErrorName = null, string? ErrorValue = null, IReadOnlyList<string>? Traceback = null)
{
    public bool Succeeded => ErrorName is null;

    internal static CellOutcome FromError(int count, JsonObject error) => new(count, (string?)error["ename"] ?? "Error", (string?)error["evalue"] ?? "",
        (error["traceback"] as JsonArray)?.Select(l => (string?)l ?? "").ToList() ?? []);
}
