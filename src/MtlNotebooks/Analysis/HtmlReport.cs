using System.Net;
using System.Text;
using Microsoft.Data.Analysis;
using Plotly.NET;

namespace MtlNotebooks.Analysis;

/// <summary>A self-contained HTML report: headings, text, tables, live Plotly charts and PNG images in one file that
/// opens offline. plotly.js (the copy bundled in the Plotly.NET assembly) is inlined once, in the head, when the report
/// has at least one chart; each chart is a &lt;div&gt; plus a script calling Plotly.newPlot with the chart's JSON.
/// All text is HTML-encoded.</summary>
public sealed class HtmlReport
{
    private const string ChartIdPrefix = "mtl-chart-";
    private static readonly Lazy<string> PlotlyJsSource = new(LoadPlotlyJs);
    private readonly List<string> _blocks = [];
    private int _chartCount;

    public HtmlReport(string title)
    {
        ArgumentNullException.ThrowIfNull(title);
        Title = title;
    }

    public string Title { get; }

    /// <summary>How many charts the report holds (each needs plotly.js).</summary>
    public int ChartCount => _chartCount;

    /// <summary>The plotly.js bundle shipped inside Plotly.NET (an embedded resource of its assembly), as inlined.</summary>
    public static string PlotlyJs => PlotlyJsSource.Value;

    public HtmlReport AddHeading(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _blocks.Add($"<h2>{Encode(text)}</h2>");
        return this;
    }

    /// <summary>A paragraph; line breaks in <paramref name="text"/> become &lt;br&gt;.</summary>
    public HtmlReport AddParagraph(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.ReplaceLineEndings("\n").Split('\n').Select(Encode);
        _blocks.Add($"<p>{string.Join("<br>\n", lines)}</p>");
        return this;
    }

    /// <summary>A table with the column names as header; numbers right-aligned and formatted as in
    /// <see cref="DeltaM.ToText"/> (four significant digits, Δm with its sign).</summary>
    public HtmlReport AddTable(DataFrame table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var columns = table.Columns.ToList();
        var sb = new StringBuilder("<table>\n<thead><tr>");
        foreach (var c in columns)
            sb.Append("<th").Append(NumericClass(c)).Append('>').Append(Encode(c.Name)).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        for (long r = 0; r < table.Rows.Count; r++)
        {
            sb.Append("<tr>");
            foreach (var c in columns)
                sb.Append("<td").Append(NumericClass(c)).Append('>').Append(Encode(DeltaM.FormatCell(c, r))).Append("</td>");
            sb.Append("</tr>\n");
        }

        sb.Append("</tbody>\n</table>");
        _blocks.Add(sb.ToString());
        return this;
    }

    /// <summary>A live chart. Its JSON is taken now, so later changes to <paramref name="chart"/> do not show.</summary>
    public HtmlReport AddChart(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var id = ChartIdPrefix + (++_chartCount).ToString(System.Globalization.CultureInfo.InvariantCulture);
        // toJson gives {"data", "layout", "config"} with no script reference, unlike toEmbeddedHTML (CDN by default).
        var figure = ScriptSafe(GenericChart.toJson(chart));
        _blocks.Add(
            $"<div class=\"chart\" id=\"{id}\"></div>\n" +
            $"<script>(function () {{ var figure = {figure}; Plotly.newPlot(\"{id}\", figure.data, figure.layout, figure.config); }})();</script>");
        return this;
    }

    /// <summary>A PNG inlined as a base64 data URI, with a caption.</summary>
    public HtmlReport AddImage(string caption, byte[] png)
    {
        ArgumentNullException.ThrowIfNull(caption);
        ArgumentNullException.ThrowIfNull(png);
        if (png.Length == 0)
            throw new ArgumentException($"The image '{caption}' is empty.", nameof(png));
        _blocks.Add(
            $"<figure><img src=\"data:image/png;base64,{Convert.ToBase64String(png)}\" alt=\"{Encode(caption)}\">" +
            $"<figcaption>{Encode(caption)}</figcaption></figure>");
        return this;
    }

    /// <summary>Monospaced text kept as is (e.g. <see cref="DeltaM.ToText"/> or a model summary).</summary>
    public HtmlReport AddPreformatted(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _blocks.Add($"<pre>{Encode(text)}</pre>");
        return this;
    }

    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Encode(Title)).Append("</title>\n")
            .Append("<style>\n").Append(Css).Append("</style>\n");
        if (_chartCount > 0)
        {
            // Inlined once for all charts: the file must render offline, and 3.6 MB per chart would be absurd.
            sb.Append("<script>\n").Append(PlotlyJs).Append("\n</script>\n");
        }

        sb.Append("</head>\n<body>\n<h1>").Append(Encode(Title)).Append("</h1>\n");
        foreach (var block in _blocks)
            sb.Append(block).Append('\n');
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>Writes <see cref="ToHtml"/> atomically (UTF-8).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToHtml());

    private const string Css = """
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1300px; padding: 0 1em; color: #222; }
        table { border-collapse: collapse; margin: 1em 0; font-size: 0.95em; }
        th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; }
        th { background: #f3f3f3; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; }
        figure { margin: 1em 0; }
        figure img { max-width: 100%; image-rendering: pixelated; }
        figcaption { color: #555; font-size: 0.9em; }
        .chart { margin: 1em 0; }

        """;

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string NumericClass(DataFrameColumn column) => column.DataType == typeof(string) ? "" : " class=\"num\"";

    /// <summary>JSON made safe inside a &lt;script&gt;: '&lt;' only occurs in JSON strings, where \u003c is the same
    /// character, so "&lt;/script&gt;" in a title cannot end the script. U+2028/2029 are escaped for older engines.</summary>
    private static string ScriptSafe(string json) =>
        json.Replace("<", "\\u003c").Replace("\u2028", "\\u2028").Replace("\u2029", "\\u2029");

    private static string LoadPlotlyJs()
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames()
                       .Where(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
                       .Order(StringComparer.Ordinal)
                       .LastOrDefault()
                   ?? throw new InvalidOperationException(
                       $"No plotly.js resource in {assembly.GetName().Name} {assembly.GetName().Version}; the offline report needs the bundled plotly.min.js.");
        using var stream = assembly.GetManifestResourceStream(name)
                           ?? throw new InvalidOperationException($"Cannot open the resource '{name}' of {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var js = reader.ReadToEnd();
        // Cannot occur in 2.28.0, but a "</script" inside the bundle would end the inline script early.
        return js.Contains("</script", StringComparison.OrdinalIgnoreCase)
            ? js.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)
            : js;
    }
}
