using System.Text.Json.Nodes;

namespace MtlNotebooks.NotebookTests;

/// <summary>The structural rules of the nbformat 4 schema (v4.0–4.4): required keys and their JSON types for the
/// notebook, its cells and every output type, and no keys a cell may not have. Returns every problem found.</summary>
public static class NbformatStructure
{
    private static readonly HashSet<string> CodeCellKeys = ["cell_type", "execution_count", "metadata", "outputs", "source"];
    private static readonly HashSet<string> TextCellKeys = ["cell_type", "metadata", "source", "attachments"];

    public static IReadOnlyList<string> Problems(JsonObject notebook)
    {
        var problems = new List<string>();
        if (notebook["nbformat"]?.GetValue<int>() != 4) problems.Add("nbformat is not 4");
        if (notebook["nbformat_minor"] is not JsonValue minor || minor.GetValue<int>() < 0) problems.Add("nbformat_minor is not a non-negative integer");
        if (notebook["metadata"] is not JsonObject metadata) problems.Add("metadata is not an object");
        else if (metadata["kernelspec"] is JsonObject spec && (spec["name"] is not JsonValue || spec["display_name"] is not JsonValue))
            problems.Add("metadata.kernelspec needs name and display_name");
        if (notebook["cells"] is not JsonArray cells)
        {
            problems.Add("cells is not an array");
            return problems;
        }

        for (var i = 0; i < cells.Count; i++)
        {
            var where = $"cell {i + 1}";
            if (cells[i] is not JsonObject cell)
            {
                problems.Add($"{where} is not an object");
                continue;
            }

            var type = (string?)cell["cell_type"];
            if (cell["metadata"] is not JsonObject) problems.Add($"{where}: metadata is not an object");
            if (!IsMultilineString(cell["source"])) problems.Add($"{where}: source is not a string or an array of strings");
            var allowed = type == "code" ? CodeCellKeys : type is "markdown" or "raw" ? TextCellKeys : null;
            if (allowed is null)
            {
                problems.Add($"{where}: cell_type '{type}' is not code, markdown or raw");
                continue;
            }

            problems.AddRange(cell.Select(p => p.Key).Where(k => !allowed.Contains(k)).Select(k => $"{where}: key '{k}' is not allowed in a {type} cell"));
            if (type != "code") continue;
            if (!cell.ContainsKey("execution_count") || cell["execution_count"] is not (null or JsonValue))
                problems.Add($"{where}: execution_count must be an integer or null");
            if (cell["outputs"] is not JsonArray outputs)
            {
                problems.Add($"{where}: outputs is not an array");
                continue;
            }

            foreach (var output in outputs)
                problems.AddRange(OutputProblems(output as JsonObject, where));
        }

        return problems;
    }

    private static IEnumerable<string> OutputProblems(JsonObject? output, string where)
    {
        if (output is null)
        {
            yield return $"{where}: an output is not an object";
            yield break;
        }

        var type = (string?)output["output_type"];
        string[] required = type switch
        {
            "stream" => ["name", "text"],
            "display_data" => ["data", "metadata"],
            "execute_result" => ["data", "metadata", "execution_count"],
            "error" => ["ename", "evalue", "traceback"],
            _ => [],
        };
        if (required.Length == 0)
        {
            yield return $"{where}: output_type '{type}' is unknown";
            yield break;
        }

        foreach (var key in required.Where(k => !output.ContainsKey(k)))
            yield return $"{where}: {type} output lacks '{key}'";
        if (type is "display_data" or "execute_result" && output["data"] is JsonObject data)
        {
            foreach (var (mime, value) in data)
                if (!IsMultilineString(value))
                    yield return $"{where}: data['{mime}'] is not a string or an array of strings";
        }

        if (type == "stream" && !IsMultilineString(output["text"])) yield return $"{where}: stream text is not a string or an array of strings";
        if (type == "error" && output["traceback"] is not JsonArray) yield return $"{where}: error traceback is not an array";
    }

    private static bool IsMultilineString(JsonNode? node) => node switch
    {
        JsonValue v => v.TryGetValue<string>(out _),
        JsonArray a => a.All(x => x is JsonValue v && v.TryGetValue<string>(out _)),
        _ => false,
    };
}
