using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Plotly.NET;

namespace MtlNotebooks.Analysis;

/// <summary>Plotly.NET charts in HTML, for the report, the notebook formatters and the notebook export alike: each chart
/// is a &lt;div&gt; plus a script calling Plotly.newPlot with the chart's JSON, and plotly.js is the copy bundled in the
/// Plotly.NET assembly, inlined once per page by whoever assembles the page.</summary>
public static partial class PlotlyHtml
{
    /// <summary>The class of every chart's &lt;div&gt;: an HTML fragment holding one needs plotly.js.</summary>
    public const string ChartClass = "mtl-plotly-chart";

    private static readonly Lazy<(string Version, string Source)> Bundle = new(LoadBundle);

    /// <summary>The plotly.js bundle shipped inside Plotly.NET (an embedded resource of its assembly), safe to inline.</summary>
    public static string PlotlyJs => Bundle.Value.Source;

    /// <summary>The version of that bundle (from its resource name), e.g. "2.27.1".</summary>
    public static string PlotlyJsVersion => Bundle.Value.Version;

    /// <summary>plotly.js as one inline &lt;script&gt; element.</summary>
    public static string PlotlyJsScript() => $"<script type=\"text/javascript\">\n{PlotlyJs}\n</script>";

    /// <summary>Whether an HTML fragment contains a chart that needs plotly.js.</summary>
    public static bool NeedsPlotlyJs(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        return html.Contains(ChartClass, StringComparison.Ordinal);
    }

    /// <summary>The chart as an HTML fragment with the element id <paramref name="id"/>. Its JSON is taken now, so later
    /// changes to the chart do not show. The script draws with window.Plotly, i.e. the page's inlined plotly.js; with
    /// <paramref name="cdnFallback"/> (a live notebook, which may lack it) it loads the same plotly.js version from the CDN
    /// first, through require.js when the front end has it, as classic Jupyter does.</summary>
    public static string Chart(GenericChart chart, string id, bool cdnFallback)
    {
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        // toJson gives {"data", "layout", "config"} with no script reference, unlike toEmbeddedHTML (CDN by default).
        var (json, style) = FitToWidth(GenericChart.toJson(chart));
        var figure = ScriptSafe(json);
        var cdn = $"https://cdn.plot.ly/plotly-{PlotlyJsVersion}.min";
        var load = cdnFallback
            ? $$"""
                if (typeof window.Plotly !== "undefined") { draw(window.Plotly); return; }
                if (typeof window.require === "function" && typeof window.require.config === "function") {
                  window.require.config({ paths: { plotly: "{{cdn}}" } });
                  window.require(["plotly"], draw);
                  return;
                }
                var script = document.createElement("script");
                script.src = "{{cdn}}.js";
                script.onload = function () { draw(window.Plotly); };
                document.head.appendChild(script);
              """
            : "  draw(window.Plotly);";
        return $$"""
            <div id="{{id}}" class="{{ChartClass}}" style="{{style}}"></div>
            <script type="text/javascript">
            (function () {
              var figure = {{figure}};
              var draw = function (Plotly) { Plotly.newPlot("{{id}}", figure.data, figure.layout, figure.config); };
            {{load}}
            })();
            </script>
            """;
    }

    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };   // ScriptSafe escapes '<'

    /// <summary>The figure drawn to fit its cell or page: the width a chart was designed at becomes a maximum (the
    /// &lt;div&gt;'s max-width) instead of a fixed size, layout.autosize and config.responsive let plotly.js follow the
    /// container, and the height stays. A chart designed at 1,400 px is no longer cut in a 900 px notebook cell.</summary>
    internal static (string Json, string Style) FitToWidth(string json)
    {
        var figure = JsonNode.Parse(json)!.AsObject();
        if (figure["layout"] is not JsonObject layout) figure["layout"] = layout = new JsonObject();
        if (figure["config"] is not JsonObject config) figure["config"] = config = new JsonObject();
        var width = layout["width"] is JsonValue w && w.TryGetValue<double>(out var value) ? value : (double?)null;
        layout.Remove("width");
        layout["autosize"] = true;
        config["responsive"] = true;
        LegendBelow(figure, layout);
        var style = "width: 100%" + (width is { } max ? string.Create(CultureInfo.InvariantCulture, $"; max-width: {max:0}px") : "");
        return (figure.ToJsonString(Readable), style);
    }

    /// <summary>A legend beside the plot (plotly.js's default) takes its room from the plot in a narrow cell and runs off
    /// the chart when it is long; across the bottom of the chart, in as many rows as it needs, it fits any width. A chart
    /// that places its own legend keeps it.</summary>
    private static void LegendBelow(JsonObject figure, JsonObject layout)
    {
        if (layout["showlegend"] is JsonValue shown && shown.TryGetValue<bool>(out var show) && !show) return;
        var traces = figure["data"] as JsonArray ?? [];
        var inLegend = traces.OfType<JsonObject>().Count(t => !(t["showlegend"] is JsonValue v && v.TryGetValue<bool>(out var b) && !b));
        if (inLegend < 2) return;
        if (layout["legend"] is not JsonObject legend) layout["legend"] = legend = new JsonObject();
        if (legend.ContainsKey("x") || legend.ContainsKey("y") || legend.ContainsKey("orientation")) return;
        legend["orientation"] = "h";
        legend["yref"] = "container";
        legend["yanchor"] = "bottom";
        legend["y"] = 0;
        legend["xanchor"] = "left";
        legend["x"] = 0;
    }

    /// <summary>JSON made safe inside a &lt;script&gt;: '&lt;' only occurs in JSON strings, where \u003c is the same
    /// character, so "&lt;/script&gt;" in a title cannot end the script. U+2028/2029 are escaped for older engines.</summary>
    private static string ScriptSafe(string json) =>
        json.Replace("<", "\\u003c").Replace("\u2028", "\\u2028").Replace("\u2029", "\\u2029");

    private static (string Version, string Source) LoadBundle()
    {
        var assembly = typeof(GenericChart).Assembly;
        var (name, version) = assembly.GetManifestResourceNames()
                                  .Select(n => (Name: n, Match: PlotlyResource().Match(n)))
                                  .Where(r => r.Match.Success)
                                  .Select(r => (r.Name, Version: r.Match.Groups[1].Value))
                                  .OrderBy(r => r.Name, StringComparer.Ordinal)
                                  .LastOrDefault();
        if (name is null)
            throw new InvalidOperationException(
                $"No plotly-<version>.min.js resource in {assembly.GetName().Name} {assembly.GetName().Version}; charts need the bundled plotly.js.");
        using var stream = assembly.GetManifestResourceStream(name)
                           ?? throw new InvalidOperationException($"Cannot open the resource '{name}' of {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var js = reader.ReadToEnd();
        // Cannot occur in the bundled version, but a "</script" inside the bundle would end the inline script early.
        return (version, js.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase));
    }

    [GeneratedRegex(@"^Plotly\.NET\.plotly-(\d+\.\d+\.\d+)\.min\.js$")]
    private static partial Regex PlotlyResource();
}
