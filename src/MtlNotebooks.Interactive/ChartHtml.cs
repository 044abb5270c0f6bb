using System.Globalization;
using System.Text.RegularExpressions;
using MtlNotebooks.Analysis;
using Plotly.NET;

namespace MtlNotebooks.Interactive;

/// <summary>A Plotly.NET chart as a notebook HTML output: a &lt;div&gt; plus a script calling Plotly.newPlot with the
/// chart's JSON. The output carries no copy of plotly.js: the headless runner and its HTML export inline the bundle
/// once per document (<see cref="PlotlyJsBundleHtml"/>); in a live kernel without it, the script loads the same
/// plotly.js version from the CDN (through require.js when the front end has it, as classic Jupyter does).</summary>
public static partial class ChartHtml
{
    /// <summary>The class of every chart's &lt;div&gt;: documents holding one need plotly.js.</summary>
    public const string ChartClass = "mtl-plotly-chart";

    /// <summary>The attribute that marks the output holding the inlined plotly.js bundle.</summary>
    public const string BundleMarker = "data-mtl-plotlyjs";

    private static int _counter;

    /// <summary>The version of the plotly.js bundled in Plotly.NET (from its resource name), e.g. "2.27.1".</summary>
    public static string PlotlyJsVersion { get; } = FindPlotlyJsVersion();

    /// <summary>Whether an HTML output contains a chart that needs plotly.js.</summary>
    public static bool NeedsPlotlyJs(string html) => html.Contains(ChartClass, StringComparison.Ordinal);

    /// <summary>The chart as an HTML fragment. Its JSON is taken now, so later changes to the chart do not show.</summary>
    public static string Render(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var id = "mtl-chart-" + Guid.NewGuid().ToString("N")[..8] + "-" + Interlocked.Increment(ref _counter).ToString(CultureInfo.InvariantCulture);
        var figure = ScriptSafe(GenericChart.toJson(chart));
        var cdn = $"https://cdn.plot.ly/plotly-{PlotlyJsVersion}.min";
        return $$"""
            <div id="{{id}}" class="{{ChartClass}}"></div>
            <script type="text/javascript">
            (function () {
              var figure = {{figure}};
              var draw = function (Plotly) { Plotly.newPlot("{{id}}", figure.data, figure.layout, figure.config); };
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
            })();
            </script>
            """;
    }

    /// <summary>plotly.js inlined as an HTML output, once per executed notebook, before its first chart. require.js
    /// (classic Jupyter) is hidden while the bundle runs, so plotly.js defines window.Plotly instead of an anonymous
    /// AMD module.</summary>
    public static string PlotlyJsBundleHtml() =>
        $"<script type=\"text/javascript\" {BundleMarker}=\"{PlotlyJsVersion}\">window.__mtlDefine = window.define; window.define = undefined;</script>\n" +
        $"<script type=\"text/javascript\">\n{HtmlReport.PlotlyJs}\n</script>\n" +
        "<script type=\"text/javascript\">window.define = window.__mtlDefine;</script>";

    /// <summary>JSON made safe inside a &lt;script&gt;: '&lt;' only occurs in JSON strings, where \u003c is the same character.</summary>
    private static string ScriptSafe(string json) =>
        json.Replace("<", "\\u003c").Replace("\u2028", "\\u2028").Replace("\u2029", "\\u2029");

    private static string FindPlotlyJsVersion()
    {
        var versions = typeof(GenericChart).Assembly.GetManifestResourceNames()
            .Select(n => PlotlyResource().Match(n))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .Order(StringComparer.Ordinal)
            .ToList();
        return versions.Count > 0
            ? versions[^1]
            : throw new InvalidOperationException("Plotly.NET carries no plotly-<version>.min.js resource; charts cannot name their plotly.js.");
    }

    [GeneratedRegex(@"^Plotly\.NET\.plotly-(\d+\.\d+\.\d+)\.min\.js$")]
    private static partial Regex PlotlyResource();
}
