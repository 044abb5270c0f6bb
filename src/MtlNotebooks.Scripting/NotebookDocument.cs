using MtlNotebooks.Runtime;
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

    /// <summary>A new empty notebook with the metadata Polyglot Notebooks writes for a C# notebook, and the editor mode
    /// for Jupyter's (CodeMirror has no "polyglot-notebook" mode; Polyglot Notebooks reads the name).</summary>
    public static NotebookDocument CreateCSharp() => Parse("""
        {
         "cells": [],
         "metadata": {
          "kernelspec": { "display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp" },
          "language_info": { "codemirror_mode": "text/x-csharp", "name": "polyglot-notebook" },
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
