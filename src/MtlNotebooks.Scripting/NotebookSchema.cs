using System.Text.Json;
using System.Text.Json.Nodes;

namespace MtlNotebooks.Scripting;

/// <summary>The parts of nbformat 4 the runner reads, checked when a notebook is loaded, so a malformed file is one
/// message naming each field at fault ("cell 3: "source" is a number; …"), not an exception halfway through a run.</summary>
internal static class NotebookSchema
{
    private static readonly string[] CellTypes = ["code", "markdown", "raw"];

    public static IReadOnlyList<string> Problems(JsonObject root)
    {
        var problems = new List<string>();
        if (root["nbformat"] is not JsonValue format || format.GetValueKind() != JsonValueKind.Number)
            problems.Add($"\"nbformat\" is {Kind(root["nbformat"])}; it must be the number 4");
        else if (!format.TryGetValue<int>(out int version) || version != 4)
            problems.Add($"has nbformat {format.ToJsonString()}; the runner reads nbformat 4");
        if (root["metadata"] is not JsonObject metadata)
            problems.Add($"\"metadata\" is {Kind(root["metadata"])}; it must be an object");
        else if (metadata["kernelspec"] is { } kernelspec && !(kernelspec is JsonObject spec && IsString(spec["name"], out _)))
            problems.Add($"\"metadata.kernelspec\" is {Kind(kernelspec)}; it must be an object with a string \"name\"");
        if (root["cells"] is not JsonArray cells)
        {
            problems.Add($"\"cells\" is {Kind(root["cells"])}; it must be a list of cells");
            return problems;
        }
        for (int i = 0; i < cells.Count; i++) problems.AddRange(CellProblems(cells[i]).Select(p => $"cell {i + 1}: {p}"));
        return problems;
    }

    private static IEnumerable<string> CellProblems(JsonNode? cell)
    {
        if (cell is not JsonObject json)
        {
            yield return $"is {Kind(cell)}; a cell must be an object";
            yield break;
        }
        if (!IsString(json["cell_type"], out var type) || !CellTypes.Contains(type))
            yield return $"\"cell_type\" is {Kind(json["cell_type"])}; it must be one of {string.Join(", ", CellTypes)}";
        if (!IsText(json["source"]))
            yield return $"\"source\" is {Kind(json["source"])}; it must be a string or a list of strings";
        if (json["metadata"] is { } metadata && metadata is not JsonObject)
            yield return $"\"metadata\" is {Kind(metadata)}; it must be an object";
        else if (json["metadata"]?["tags"] is { } tags && !(tags is JsonArray list && list.All(t => IsString(t, out _))))
            yield return $"\"metadata.tags\" is {Kind(tags)}; it must be a list of strings";
        if (json["outputs"] is { } outputs && outputs is not JsonArray)
            yield return $"\"outputs\" is {Kind(outputs)}; it must be a list";
    }

    private static bool IsText(JsonNode? node) =>
        IsString(node, out _) || node is JsonArray lines && lines.All(l => IsString(l, out _));

    private static bool IsString(JsonNode? node, out string value)
    {
        value = node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";
        return node is JsonValue s && s.GetValueKind() == JsonValueKind.String;
    }

    private static string Kind(JsonNode? node) => node switch
    {
        null => "missing",
        JsonObject => "an object",
        JsonArray => "a list",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => $"the string {v.ToJsonString()}",
            JsonValueKind.Number => $"a number ({v.ToJsonString()})",
            JsonValueKind.True or JsonValueKind.False => $"a boolean ({v.ToJsonString()})",
            _ => "null",
        },
        _ => "unknown",
    };
}
