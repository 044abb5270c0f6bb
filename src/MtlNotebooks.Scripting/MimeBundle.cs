using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive.Formatting;
using MtlNotebooks.Analysis;

namespace MtlNotebooks.Scripting;

/// <summary>A value formatted for a notebook output: its preferred MIME types (as registered with
/// Microsoft.DotNet.Interactive.Formatting) plus text/plain, as nbformat's "data" object.</summary>
public static class MimeBundle
{
    public const string PlainTextMimeType = "text/plain", HtmlMimeType = "text/html", PngMimeType = "image/png";

    public static JsonObject Create(object? value, IReadOnlyCollection<string>? mimeTypes = null)
    {
        var data = new JsonObject();
        if (value is null)
        {
            data[PlainTextMimeType] = Formatter.NullString;
            return data;
        }

        var types = (mimeTypes is { Count: > 0 } ? mimeTypes : Formatter.GetPreferredMimeTypesFor(value.GetType())).ToList();
        if (!types.Contains(PlainTextMimeType)) types.Add(PlainTextMimeType);
        foreach (var mime in types)
        {
            var text = Formatter.ToDisplayString(value, mime).ReplaceLineEndings("\n");
            // Binary formats are one base64 string; text formats are stored as lines, as Jupyter writes them.
            data[mime] = mime.StartsWith("image/", StringComparison.Ordinal) ? text : NotebookCell.Lines(text);
        }

        return data;
    }

    public static string PlainText(object? value) => value is null ? Formatter.NullString : Formatter.ToDisplayString(value, PlainTextMimeType);

    /// <summary>The text of one MIME entry of an nbformat "data" object (a string or an array of lines).</summary>
    public static string? Text(JsonObject data, string mime) => data[mime] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? "")),
        JsonValue value => value.GetValue<string>(),
        _ => null,
    };

    internal static bool NeedsPlotlyJs(JsonObject data) => Text(data, HtmlMimeType) is { } html && PlotlyHtml.NeedsPlotlyJs(html);
}
