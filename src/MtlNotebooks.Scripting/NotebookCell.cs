using System.Text.Json.Nodes;

namespace MtlNotebooks.Scripting;

/// <summary>One cell of a <see cref="NotebookDocument"/>: a view over its JSON object.</summary>
public sealed class NotebookCell(JsonObject json)
{
    public JsonObject Json { get; } = json;

    public string CellType => Json["cell_type"]?.GetValue<string>() ?? "";

    public bool IsCode => CellType == "code";

    /// <summary>The source joined into one string (nbformat stores a string or an array of lines).</summary>
    public string Source
    {
        get => Json["source"] switch
        {
            JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? "")),
            JsonValue value => value.GetValue<string>(),
            _ => "",
        };
        set => Json["source"] = Lines(value);
    }

    public IReadOnlyList<string> Tags =>
        (Json["metadata"]?["tags"] as JsonArray)?.Select(t => t?.GetValue<string>() ?? "").ToList() ?? [];

    public JsonArray Outputs
    {
        get
        {
            if (Json["outputs"] is not JsonArray outputs)
                Json["outputs"] = outputs = [];
            return outputs;
        }
    }

    public void ClearOutputs()
    {
        if (!IsCode) return;
        Json["outputs"] = new JsonArray();
        Json["execution_count"] = null;
    }

    public void SetExecutionCount(int? count) => Json["execution_count"] = count;

    /// <summary>Text as nbformat writes it: lines that keep their "\n", the last without.</summary>
    public static JsonArray Lines(string text)
    {
        var array = new JsonArray();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\n') continue;
            array.Add(text[start..(i + 1)]);
            start = i + 1;
        }

        if (start < text.Length) array.Add(text[start..]);
        return array;
    }

    internal static NotebookCell Create(string cellType, string source, IEnumerable<string>? tags)
    {
        var metadata = new JsonObject();
        if (cellType == "code")
        {
            metadata["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" };
            metadata["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" };
        }

        if (tags is not null)
            metadata["tags"] = new JsonArray(tags.Select(t => (JsonNode)JsonValue.Create(t)).ToArray());
        var json = new JsonObject { ["cell_type"] = cellType, ["metadata"] = metadata, ["source"] = Lines(source) };
        if (cellType == "code")
        {
            json["execution_count"] = null;
            json["outputs"] = new JsonArray();
        }

        return new NotebookCell(json);
    }
}
