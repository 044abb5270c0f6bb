using MtlNotebooks.Runtime;
using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;
using Plotly.NET;

namespace MtlNotebooks.Analysis;

/// <summary>A self-contained HTML report: headings, text, tables, live Plotly charts and PNG images in one file that
/// opens offline. plotly.js (the copy bundled in the Plotly.NET assembly) is inlined once, in the head, when the report
/// has at least one chart (<see cref="HtmlPage"/>); charts and tables render as in a notebook (<see cref="PlotlyHtml"/>,
/// <see cref="DataFrameHtml"/>). All text is HTML-encoded.</summary>
public sealed class HtmlReport
{
    private const string ChartIdPrefix = "mtl-chart-";
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

    public HtmlReport AddHeading(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _blocks.Add($"<h2>{HtmlText.Encode(text)}</h2>");
        return this;
    }

    /// <summary>A paragraph; line breaks in <paramref name="text"/> become &lt;br&gt;.</summary>
    public HtmlReport AddParagraph(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.ReplaceLineEndings("\n").Split('\n').Select(HtmlText.Encode);
        _blocks.Add($"<p>{string.Join("<br>\n", lines)}</p>");
        return this;
    }

    /// <summary>A table with the column names as header; numbers right-aligned and formatted as in
    /// <see cref="DeltaM.ToText(Microsoft.Data.Analysis.DataFrame)"/> (four significant digits, Δm with its sign).</summary>
    public HtmlReport AddTable(DataFrame table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _blocks.Add(DataFrameHtml.Table(table));
        return this;
    }

    /// <summary>A live chart. Its JSON is taken now, so later changes to <paramref name="chart"/> do not show.</summary>
    public HtmlReport AddChart(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        // Numbered, not random: the same report gives the same file.
        var id = ChartIdPrefix + (++_chartCount).ToString(CultureInfo.InvariantCulture);
        _blocks.Add(PlotlyHtml.Chart(chart, id, cdnFallback: false));
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
            $"<figure><img src=\"data:image/png;base64,{Convert.ToBase64String(png)}\" alt=\"{HtmlText.Encode(caption)}\">" +
            $"<figcaption>{HtmlText.Encode(caption)}</figcaption></figure>");
        return this;
    }

    /// <summary>Monospaced text kept as is (e.g. <see cref="DeltaM.ToText(Microsoft.Data.Analysis.DataFrame)"/> or a model summary).</summary>
    public HtmlReport AddPreformatted(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _blocks.Add($"<pre>{HtmlText.Encode(text)}</pre>");
        return this;
    }

    public string ToHtml()
    {
        var body = new StringBuilder("<h1>").Append(HtmlText.Encode(Title)).Append("</h1>\n");
        foreach (var block in _blocks)
            body.Append(block).Append('\n');
        return HtmlPage.Render(Title, Css, body.ToString(), withPlotlyJs: _chartCount > 0);
    }

    /// <summary>Writes <see cref="ToHtml"/> atomically (UTF-8).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToHtml());

    private const string Css = $$"""
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1300px; padding: 0 1em; color: #222; }
        table { border-collapse: collapse; margin: 1em 0; font-size: 0.95em; }
        th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; }
        th { background: #f3f3f3; }
        .{{DataFrameHtml.TableClass}} td, .{{DataFrameHtml.TableClass}} th { font-variant-numeric: tabular-nums; }
        pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; }
        figure { margin: 1em 0; }
        figure img { max-width: 100%; image-rendering: pixelated; }
        figcaption { color: #555; font-size: 0.9em; }
        .{{PlotlyHtml.ChartClass}} { margin: 1em 0; }

        """;
}
