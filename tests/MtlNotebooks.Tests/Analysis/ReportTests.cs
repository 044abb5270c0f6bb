using MtlNotebooks.Runtime;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Analysis;
using MtlNotebooks.Analysis;
using Plotly.NET;
using Plotly.NET.CSharp;

namespace MtlNotebooks.Tests.Analysis;

public sealed class ReportTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mtl-analysis-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    private static List<RunResult> NyudRuns() =>
    [
        AnalysisFixtures.Run("single-task", AnalysisFixtures.Nyud(43.9, 0.585), "single-task", "-", 80_000_000),
        AnalysisFixtures.Run("cross-stitch", AnalysisFixtures.Nyud(44.2, 0.570), "cross-stitch", "fixed", 80_000_000),
        AnalysisFixtures.Run("mtan, \"small\"", AnalysisFixtures.Nyud(45.0, 0.584), "MTAN", "DWA", 72_000_000),
    ];

    private static int Count(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    /// <summary>The trace types of a chart (its "data" array; the layout template holds sample traces too).</summary>
    private static List<(string Type, bool ShowLegend)> Traces(string chartJson)
    {
        using var document = JsonDocument.Parse(chartJson);
        return document.RootElement.GetProperty("data").EnumerateArray()
            .Select(t => (t.GetProperty("type").GetString()!, t.TryGetProperty("showlegend", out var s) && s.GetBoolean()))
            .ToList();
    }

    // ---- CSV ----

    [Fact]
    public void WriteMetrics_LongFormatWithExactHeaderQuotingAndInvariantNumbers()
    {
        var path = Path.Combine(_folder, "new", "metrics.csv"); // the folder does not exist yet
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE"); // decimal comma must not leak into the CSV
        try
        {
            ResultsCsv.WriteMetrics(path, NyudRuns());
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }

        Assert.Equal((byte)'m', File.ReadAllBytes(path)[0]); // no byte order mark
        var lines = File.ReadAllText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("model,architecture,balancer,task,metric,direction,primary,value", lines[0]);
        Assert.Equal(1 + 3 * 2, lines.Length);
        Assert.Contains("single-task,single-task,-,depth,RMSE,lower,true,0.585", lines);
        Assert.Contains("cross-stitch,cross-stitch,fixed,semseg,mIoU,higher,true,44.2", lines);
        Assert.Contains("\"mtan, \"\"small\"\"\",MTAN,DWA,semseg,mIoU,higher,true,45", lines);
    }

    [Fact]
    public void WriteDeltaM_HeaderIsTheTableColumns()
    {
        var runs = NyudRuns();
        var path = Path.Combine(_folder, "delta-m.csv");

        ResultsCsv.WriteDeltaM(path, DeltaM.Table(runs[0], runs.Skip(1)));

        var lines = File.ReadAllText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("model,architecture,balancer,parameters,semseg mIoU ↑,depth RMSE ↓,Δm (%)", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Equal("single-task,single-task,-,80000000,43.9,0.585,0", lines[1]);
        var crossStitch = double.Parse(lines[2].Split(',')[^1], CultureInfo.InvariantCulture);
        Assert.Equal(DeltaM.Compute(runs[0].Final, runs[1].Final), crossStitch); // full precision, not the display rounding
    }

    // ---- Atomic writes ----

    [Fact]
    public void AtomicWrite_CallbackThrows_LeavesOldFileIntactAndNoTempFile()
    {
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, "results.csv");
        File.WriteAllText(path, "old content");

        var error = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("half-written new content"u8);
            throw new InvalidOperationException("crash mid-write");
        }));

        Assert.Equal("crash mid-write", error.Message);
        Assert.Equal("old content", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    [Fact]
    public void AtomicWrite_ReplacesExistingFileAndToleratesACallbackThatClosesTheStream()
    {
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, "out.txt");
        AtomicFile.WriteAllText(path, "first");

        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream); // disposes the stream
            writer.Write("second");
        });
        AtomicFile.WriteAllBytes(Path.Combine(_folder, "sub", "b.bin"), [1, 2, 3]);

        Assert.Equal("second", File.ReadAllText(path));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(_folder, "sub", "b.bin")));
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    // ---- Charts ----

    [Fact]
    public void MovingAverage_IsTrailing()
    {
        Assert.Equal([1.0, 1.5, 2.5, 3.5], Charts.MovingAverage([1, 2, 3, 4], 2));
        Assert.Equal([1.0, 2.0, 3.0], Charts.MovingAverage([1, 2, 3], 1));
    }

    [Fact]
    public void TrainingCurves_OneSubplotPerTaskOneLinePerRunOneLegendEntryPerRun()
    {
        var runs = NyudRuns();

        var json = GenericChart.toJson(Charts.TrainingCurves(runs.Select(r => r.History), smoothingWindow: 5));

        var traces = Traces(json);
        Assert.Equal(2 * runs.Count, traces.Count(t => t.Type == "scatter"));
        Assert.Equal(2 * runs.Count, traces.Count);
        Assert.Equal(runs.Count, traces.Count(t => t.ShowLegend));
        Assert.Contains("\"xaxis2\"", json);
        Assert.Contains("semseg loss", json);
        Assert.Contains("depth loss", json);
        Assert.Contains("moving average over 5 steps", json);
    }

    [Fact]
    public void MetricComparisonAndValidationCurves_AxisTitlesCarryTheDirection()
    {
        var runs = NyudRuns();

        var comparison = GenericChart.toJson(Charts.MetricComparison(runs));
        var validation = GenericChart.toJson(Charts.ValidationCurves(runs.Select(r => r.History)));

        foreach (var json in new[] { comparison, validation })
        {
            Assert.Contains("semseg mIoU ↑", json);
            Assert.Contains("depth RMSE ↓", json);
        }

        Assert.Equal(["bar", "bar"], Traces(comparison).Select(t => t.Type));
        Assert.Equal(2 * runs.Count, Traces(validation).Count(t => t.Type == "scatter"));
    }

    [Fact]
    public void DeltaMBars_OneBarPerModelWithSignedLabels()
    {
        var runs = NyudRuns();

        var json = GenericChart.toJson(Charts.DeltaMBars(DeltaM.Table(runs[0], runs.Skip(1))));

        Assert.Equal(["bar"], Traces(json).Select(t => t.Type));
        Assert.Contains("\"+1.62\"", json); // cross-stitch: (44.2/43.9 − 1 + 1 − 0.570/0.585) / 2 = +1.624 %
        Assert.Contains("\"+0.00\"", json);
        Assert.Throws<ArgumentException>(() => Charts.DeltaMBars(new DataFrame()));
    }

    // ---- HTML report ----

    [Fact]
    public void Report_InlinesPlotlyJsOnceAndOneNewPlotPerChartWithoutCdn()
    {
        var runs = NyudRuns();
        var table = DeltaM.Table(runs[0], runs.Skip(1));
        var report = new HtmlReport("NYUD-v2 <quick>")
            .AddHeading("Results")
            .AddTable(table)
            .AddChart(Charts.TrainingCurves(runs.Select(r => r.History)))
            .AddChart(Charts.DeltaMBars(table))
            .AddChart(Charts.MetricComparison(runs));

        var html = report.ToHtml();
        var plotlyJs = PlotlyHtml.PlotlyJs;
        var withoutBundle = html.Replace(plotlyJs, "");

        Assert.True(plotlyJs.Length > 1_000_000, "the real plotly.min.js bundled in Plotly.NET");
        Assert.Contains("plotly.js v", plotlyJs[..200]);
        Assert.Equal(1, Count(html, plotlyJs));
        Assert.Equal(3, Count(withoutBundle, "Plotly.newPlot("));
        Assert.Equal(3, report.ChartCount);
        // No script is loaded from anywhere: every <script> is inline, and nothing outside the bundle names the CDN.
        // (The bundle itself holds "https://cdn.plot.ly/" once, as the default topojsonURL of geo maps, never fetched
        // for these cartesian charts; hence the check excludes it.)
        Assert.DoesNotContain("<script src", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("cdn.plot.ly", withoutBundle);
        Assert.DoesNotContain("cdn.plot.ly/plotly", html);
        Assert.Equal(Count(withoutBundle, "<script"), Count(withoutBundle, "</script>"));
        Assert.Contains("<title>NYUD-v2 &lt;quick&gt;</title>", html);
        Assert.Contains("+1.62", html);
    }

    [Fact]
    public void Report_EscapesTextAndKeepsScriptsClosedWhenNamesContainMarkup()
    {
        var evil = "</script><script>alert(1)</script>";
        var runs = NyudRuns();
        runs[1] = runs[1] with { Name = evil };
        var table = DeltaM.Table(runs[0], runs.Skip(1));
        var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

        var html = new HtmlReport("report")
            .AddParagraph("<script>alert(1)</script> & more")
            .AddPreformatted("a < b")
            .AddTable(table)
            .AddChart(Charts.DeltaMBars(table))
            .AddImage("prediction <semseg>", png)
            .ToHtml()
            .Replace(PlotlyHtml.PlotlyJs, "");

        Assert.Contains("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>", html);
        Assert.Contains("<pre>a &lt; b</pre>", html);
        Assert.Contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;", html); // the table cell
        Assert.DoesNotContain("<script>alert(1)", html);
        Assert.Equal(2, Count(html, "<script")); // the (emptied) plotly.js block and the one chart
        Assert.Equal(2, Count(html, "</script>"));
        Assert.Contains("data:image/png;base64," + Convert.ToBase64String(png), html);
        Assert.Contains("<figcaption>prediction &lt;semseg&gt;</figcaption>", html);
    }

    [Fact]
    public void HtmlTable_RightAlignsNumbersAndShowsTheFirstRowsOfLongFrames()
    {
        var table = new DataFrame(
            new StringDataFrameColumn("model", ["a<b", "c", "d"]),
            new DoubleDataFrameColumn(DeltaM.DeltaMColumn, [0.0, 1.5, -2.25]));

        var html = DataFrameHtml.Table(table, maxRows: 2);

        Assert.Contains("<th>model</th><th style=\"text-align: right\">Δm (%)</th>", html);
        Assert.Contains("<tr><td>a&lt;b</td><td style=\"text-align: right\">&#x2B;0.00</td></tr>", html);
        var visible = html[..html.IndexOf("<details>", StringComparison.Ordinal)];
        Assert.DoesNotContain("<td>d</td>", visible);
        Assert.EndsWith("<p>(2 of 3 rows shown)</p>\n", visible);
        // The third row waits behind the switch, under the same header.
        var hidden = html[html.IndexOf("<details>", StringComparison.Ordinal)..];
        Assert.StartsWith("<details><summary>Show the last row</summary>", hidden);
        Assert.Contains("<th>model</th>", hidden);
        Assert.Contains("<tr><td>d</td><td style=\"text-align: right\">-2.25</td></tr>", hidden);
        Assert.EndsWith("</details>", hidden);
    }

    [Fact]
    public void HtmlTable_WritesAtMostMaxWrittenRows_AndSaysWhichAreBehindTheSwitch()
    {
        var n = (int)DataFrameHtml.MaxWrittenRows + 7;
        var table = new DataFrame(new Int32DataFrameColumn("i", Enumerable.Range(0, n)));

        var html = DataFrameHtml.Table(table, maxRows: 50);

        Assert.Equal(DataFrameHtml.MaxWrittenRows, Count(html, "<tr><td"));
        Assert.Contains($"<p>(50 of {n} rows shown)</p>", html);
        Assert.Contains($"<summary>Show rows 51–{DataFrameHtml.MaxWrittenRows} of {n}</summary>", html);
        Assert.Equal(1, Count(html, "<details>"));
    }

    [Fact]
    public void Report_WithoutCharts_DoesNotCarryPlotlyJs_AndSaveWritesTheHtml()
    {
        var report = new HtmlReport("text only").AddParagraph("no charts here");
        var path = Path.Combine(_folder, "nested", "report.html");

        report.Save(path);

        Assert.Equal(report.ToHtml(), File.ReadAllText(path));
        Assert.DoesNotContain(PlotlyHtml.PlotlyJs[..200], File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Chart_DesignedWide_FitsItsContainerUpToThatWidth()
    {
        var chart = Plotly.NET.CSharp.Chart.Line<double, double, string>(new[] { 1.0, 2.0 }, new[] { 3.0, 4.0 }, Name: "Δm < 0")
            .WithSize(1400, 450);

        var html = PlotlyHtml.Chart(chart, "c1", cdnFallback: false);

        Assert.Contains("<div id=\"c1\" class=\"mtl-plotly-chart\" style=\"width: 100%; max-width: 1400px\"></div>", html);
        Assert.Contains("\"responsive\":true", html);
        Assert.Contains("\"autosize\":true", html);
        Assert.Contains("\"height\":450", html);
        Assert.DoesNotContain("\"width\":1400", html);
        Assert.Contains("Δm \\u003c 0", html);   // readable, and no '<' inside the script
    }

    [Fact]
    public void Chart_WithALegend_PutsItAcrossTheBottom_UnlessItPlacesItsOwn()
    {
        static Plotly.NET.GenericChart Line(string name) =>
            Plotly.NET.CSharp.Chart.Line<double, double, string>(new[] { 1.0, 2.0 }, new[] { 3.0, 4.0 }, Name: name);
        const string below = "\"legend\":{\"orientation\":\"h\",\"yref\":\"container\",\"yanchor\":\"bottom\",\"y\":0,\"xanchor\":\"left\",\"x\":0}";

        Assert.Contains(below, PlotlyHtml.Chart(Plotly.NET.CSharp.Chart.Combine([Line("a"), Line("b")]), "c1", cdnFallback: false));
        Assert.DoesNotContain("\"orientation\"", PlotlyHtml.Chart(Line("alone"), "c2", cdnFallback: false));   // no legend to place
        var (own, _) = PlotlyHtml.FitToWidth("""{"data":[{"name":"a"},{"name":"b"}],"layout":{"legend":{"x":0.9}}}""");
        Assert.DoesNotContain(below, own);
        Assert.Contains("\"legend\":{\"x\":0.9}", own);
        var (hidden, _) = PlotlyHtml.FitToWidth("""{"data":[{"name":"a"},{"name":"b","showlegend":false}],"layout":{}}""");
        Assert.DoesNotContain("legend\":{", hidden);   // one entry: plotly.js shows no legend
    }
}
