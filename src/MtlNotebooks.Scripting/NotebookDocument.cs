using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MtlNotebooks.Scripting;

/// <summary>A Jupyter notebook (nbformat 4) as Polyglot Notebooks writes it, kept as its JSON so that metadata the runner
/// does not know survives a round trip. Cells are views over that JSON.</summary>
public sealed class NotebookDocument
{
    /// <summary>The kernelspec name of the .NET Interactive C# kernel.</summary>
    public const string CSharpKernelName = ".net-csharp";

    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        IndentSize = 1,
        // Keep "·", "Δ", "≤" readable in the file, as Jupyter and Polyglot Notebooks write them.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private NotebookDocument(JsonObject root, string? path)
    {
        Root = root;
        Path = path;
    }

    public JsonObject Root { get; }

    /// <summary>Where the notebook was read from (null when built in memory).</summary>
    public string? Path { get; }

    public JsonArray CellArray => Root["cells"] as JsonArray ?? throw new NotebookFormatException(Describe(), "has no \"cells\" array");

    public IReadOnlyList<NotebookCell> Cells => CellArray.Select((c, i) =>
        new NotebookCell(c as JsonObject ?? throw new NotebookFormatException(Describe(), $"cell {i + 1} is not a JSON object"))).ToList();

    public JsonObject Metadata => Root["metadata"] as JsonObject ?? throw new NotebookFormatException(Describe(), "has no \"metadata\" object");

    public string? KernelName => Metadata["kernelspec"]?["name"]?.GetValue<string>();

    public static NotebookDocument Load(string path)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new NotebookFormatException(path, $"is not valid JSON: {ex.Message}");
        }

        return FromJson(node as JsonObject ?? throw new NotebookFormatException(path, "is not a JSON object"), path);
    }

    public static NotebookDocument Parse(string json, string? path = null)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new NotebookFormatException(path ?? "notebook", $"is not valid JSON: {ex.Message}");
        }
        return FromJson(node as JsonObject ?? throw new NotebookFormatException(path ?? "notebook", "is not a JSON object"), path);
    }

    private static NotebookDocument FromJson(JsonObject root, string? path)
    {
        var document = new NotebookDocument(root, path);
        var problems = NotebookSchema.Problems(root);
        // Another nbformat version has another structure: its version is the one thing worth saying.
        if (problems.FirstOrDefault(p => p.StartsWith("has nbformat", StringComparison.Ordinal)) is { } version)
            throw new NotebookFormatException(document.Describe(), version);
        if (problems.Count > 0)
            throw new NotebookFormatException(document.Describe(), "is not a notebook the runner can read:" + Environment.NewLine +
                                                                   string.Join(Environment.NewLine, problems.Take(10).Select(p => "  - " + p)) +
                                                                   (problems.Count > 10 ? $"{Environment.NewLine}  … and {problems.Count - 10} more" : ""));
        return document;
    }

    /// <summary>A deep copy (the runner writes outputs into the copy, never into the source notebook).</summary>
    public NotebookDocument Clone() => new((JsonObject)Root.DeepClone(), Path);

    /// <summary>The JSON with keys sorted at every level, as Jupyter writes notebooks (stable diffs).</summary>
    public string ToJson() => Sorted(Root)!.ToJsonString(WriteOptions) + "\n";

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };

    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <summary>A new empty notebook with the metadata Polyglot Notebooks writes for a C# notebook.</summary>
    public static NotebookDocument CreateCSharp() => Parse("""
        {
         "cells": [],
         "metadata": {
          "kernelspec": { "display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp" },
          "language_info": { "name": "polyglot-notebook" },
          "polyglot_notebook": { "kernelInfo": { "defaultKernelName": "csharp", "items": [ { "aliases": [], "name": "csharp" } ] } }
         },
         "nbformat": 4,
         "nbformat_minor": 2
        }
        """);

    public NotebookCell AddCell(string cellType, string source, IEnumerable<string>? tags = null)
    {
        var cell = NotebookCell.Create(cellType, source, tags);
        CellArray.Add(cell.Json);
        return cell;
    }

    public NotebookCell InsertCell(int index, string cellType, string source, IEnumerable<string>? tags = null)
    {
        var cell = NotebookCell.Create(cellType, source, tags);
        CellArray.Insert(index, cell.Json);
        return cell;
    }

    internal string Describe() => Path ?? "notebook";
}

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

/// <summary>A notebook file that is not a readable nbformat 4 document.</summary>
public sealed class NotebookFormatException(string path, string problem) : Exception($"{path} {problem}.");
