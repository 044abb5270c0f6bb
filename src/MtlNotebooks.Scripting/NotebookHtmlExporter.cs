using MtlNotebooks.Runtime;
using System.Text;
using System.Text.Json.Nodes;
using Markdig;
using MtlNotebooks.Analysis;

namespace MtlNotebooks.Scripting;

/// <summary>An executed notebook as one standalone HTML page that opens offline: markdown rendered (Markdig), code
/// cells with their outputs (HTML, PNG, text, errors), and live charts with plotly.js inlined once in the head.</summary>
public static class NotebookHtmlExporter
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    public static string Export(NotebookDocument notebook, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        var cells = notebook.Cells;
        title ??= Heading(notebook) ?? Path.GetFileNameWithoutExtension(notebook.Path ?? "notebook");
        var body = new StringBuilder();
        var needsPlotly = false;
        foreach (var cell in cells)
        {
            switch (cell.CellType)
            {
                case "markdown":
                    body.Append("<section class=\"markdown\">\n").Append(Markdown.ToHtml(cell.Source, Pipeline)).Append("</section>\n");
                    break;
                case "code":
                    var count = cell.Json["execution_count"]?.GetValue<int>();
                    body.Append("<section class=\"code\">\n<div class=\"prompt\">")
                        .Append(count is null ? "[ ]" : $"[{count}]")
                        .Append("</div>\n<pre class=\"source\"><code>").Append(HtmlText.Encode(cell.Source)).Append("</code></pre>\n");
                    foreach (var output in cell.Outputs.OfType<JsonObject>())
                        needsPlotly |= AppendOutput(body, output);
                    body.Append("</section>\n");
                    break;
                default:
                    body.Append("<pre>").Append(HtmlText.Encode(cell.Source)).Append("</pre>\n");
                    break;
            }
        }

        return HtmlPage.Render(title, Css, body.ToString(), withPlotlyJs: needsPlotly);
    }

    /// <summary>The first heading of the notebook's first markdown cell, or null when it has none.</summary>
    internal static string? Heading(NotebookDocument notebook) =>
        notebook.Cells.FirstOrDefault(c => c.CellType == "markdown")?.Source.ReplaceLineEndings("\n").Split('\n')
            .FirstOrDefault(l => l.StartsWith('#'))?.TrimStart('#').Trim() is { Length: > 0 } heading ? heading : null;

    public static void Save(NotebookDocument notebook, string path) => AtomicFile.WriteAllText(path, Export(notebook));

    /// <summary>Appends one output; returns whether it holds a chart (so the page needs plotly.js).</summary>
    private static bool AppendOutput(StringBuilder body, JsonObject output)
    {
        switch ((string?)output["output_type"])
        {
            case "stream":
                var text = string.Concat((output["text"] as JsonArray ?? []).Select(l => (string?)l));
                body.Append("<pre class=\"stream ").Append((string?)output["name"] == "stderr" ? "stderr" : "stdout").Append("\">")
                    .Append(HtmlText.Encode(text)).Append("</pre>\n");
                return false;
            case "error":
                var traceback = string.Join("\n", (output["traceback"] as JsonArray ?? []).Select(l => (string?)l));
                body.Append("<pre class=\"error\">").Append(HtmlText.Encode($"{output["ename"]}: {output["evalue"]}"))
                    .Append(traceback.Length > 0 ? "\n\n" + HtmlText.Encode(traceback) : "").Append("</pre>\n");
                return false;
            case "display_data" or "execute_result":
                if (output["metadata"]?["mtlnotebooks"]?["plotlyjs"] is not null)
                    return false; // the notebook's inlined plotly.js: the page has it in the head
                var data = output["data"] as JsonObject ?? [];
                body.Append("<div class=\"output\">");
                var chart = false;
                if (MimeBundle.Text(data, MimeBundle.HtmlMimeType) is { } html)
                {
                    body.Append(html);
                    chart = PlotlyHtml.NeedsPlotlyJs(html);
                }
                else if (MimeBundle.Text(data, MimeBundle.PngMimeType) is { } png)
                {
                    body.Append("<img src=\"data:image/png;base64,").Append(png.Trim()).Append("\" alt=\"output\">");
                }
                else if (MimeBundle.Text(data, MimeBundle.PlainTextMimeType) is { } plain)
                {
                    body.Append("<pre>").Append(HtmlText.Encode(plain)).Append("</pre>");
                }

                body.Append("</div>\n");
                return chart;
            default:
                return false;
        }
    }

    private const string Css = """
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; line-height: 1.5; }
        section { margin: 0.8em 0; }
        section.code { border-left: 3px solid #4a90d9; padding-left: 0.8em; }
        .prompt { color: #888; font-family: monospace; font-size: 0.85em; }
        pre { background: #f7f7f7; padding: 0.6em 0.8em; overflow-x: auto; margin: 0.3em 0; }
        pre.source { background: #f3f6fa; }
        pre.stream { background: #fff; border: 1px dashed #ddd; }
        pre.stderr { color: #a04000; }
        pre.error { background: #fdecea; color: #8a1f11; }
        .output { margin: 0.4em 0; overflow-x: auto; }
        .output img { image-rendering: pixelated; max-width: 100%; }
        table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.95em; }
        th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
        th { background: #f3f3f3; }
        .math { font-family: "Latin Modern Math", "STIX Two Math", serif; }

        """;
}
