using System.Globalization;
using MtlNotebooks.Analysis;
using Plotly.NET;

namespace MtlNotebooks.Interactive;

/// <summary>A Plotly.NET chart as a notebook HTML output (<see cref="PlotlyHtml.Chart"/>). The output carries no copy of
/// plotly.js: the headless runner, the project's kernel and the HTML export inline the bundle once per document
/// (<see cref="PlotlyJsBundleHtml"/>), and under .NET Interactive, which does not, the first chart carries it
/// (<see cref="CarryBundleInNextChart"/>); a chart drawn where neither reached the page loads the same plotly.js
/// version from the CDN.</summary>
public static class ChartHtml
{
    /// <summary>The attribute that marks the output holding the inlined plotly.js bundle.</summary>
    public const string BundleMarker = "data-mtl-plotlyjs";

    private static int _counter;
    private static int _bundleOwed;

    /// <summary>The next chart rendered carries plotly.js before it, so that a notebook's charts draw offline under a
    /// kernel that inlines nothing itself (.NET Interactive: the package's extension.dib calls this once). Later charts
    /// find window.Plotly on the page.</summary>
    public static void CarryBundleInNextChart() => Volatile.Write(ref _bundleOwed, 1);

    /// <summary>The chart as an HTML fragment. Its JSON is taken now, so later changes to the chart do not show.</summary>
    public static string Render(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        // Random and counted: outputs of several notebooks (or kernel restarts) may share one page.
        var id = "mtl-chart-" + Guid.NewGuid().ToString("N")[..8] + "-" + Interlocked.Increment(ref _counter).ToString(CultureInfo.InvariantCulture);
        var html = PlotlyHtml.Chart(chart, id, cdnFallback: true);
        return Interlocked.Exchange(ref _bundleOwed, 0) == 1 ? PlotlyJsBundleHtml() + "\n" + html : html;
    }

    /// <summary>plotly.js inlined as an HTML output, once per executed notebook, before its first chart. require.js
    /// (classic Jupyter) is hidden while the bundle runs, so plotly.js defines window.Plotly instead of an anonymous
    /// AMD module.</summary>
    public static string PlotlyJsBundleHtml() =>
        $"<script type=\"text/javascript\" {BundleMarker}=\"{PlotlyHtml.PlotlyJsVersion}\">window.__mtlDefine = window.define; window.define = undefined;</script>\n" +
        PlotlyHtml.PlotlyJsScript() + "\n" +
        "<script type=\"text/javascript\">window.define = window.__mtlDefine;</script>";
}
