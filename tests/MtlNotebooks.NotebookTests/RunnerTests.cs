using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using MtlNotebooks.Analysis;
using MtlNotebooks.Interactive;
using MtlNotebooks.Scripting;

namespace MtlNotebooks.NotebookTests;

/// <summary>The headless runner: cell order and state, errors, directives, parameters, display and MIME types.</summary>
public sealed class RunnerTests : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(5);
    private const string Setup = "#r \"nuget: MtlNotebooks, 0.1.0\"\n#r \"nuget: MtlNotebooks.Interactive, 0.1.0\"\nusing MtlNotebooks;";
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("mtl-runner-");

    public void Dispose() => _scratch.Delete(recursive: true);

    private static NotebookDocument Notebook(params string[] codeCells)
    {
        var notebook = NotebookDocument.CreateCSharp();
        notebook.AddCell("markdown", "# 99 · Test");
        foreach (var code in codeCells) notebook.AddCell("code", code);
        return notebook;
    }

    private Task<NotebookRunResult> Run(NotebookDocument notebook, IReadOnlyDictionary<string, string>? parameters = null) =>
        NotebookRunner.RunAsync(notebook, _scratch.FullName, new NotebookRunOptions { Parameters = parameters ?? new Dictionary<string, string>() })
            .WaitAsync(HangGuard);

    private static JsonObject Output(NotebookRunResult result, int cell, int index = -1)
    {
        var outputs = result.Executed.Cells[cell - 1].Outputs;
        return (JsonObject)outputs[index < 0 ? outputs.Count + index : index]!;
    }

    private static string Text(JsonObject output, string mime) => MimeBundle.Text((JsonObject)output["data"]!, mime)!;

    [Fact]
    public async Task Run_CellsShareState_LastExpressionIsTheResultAndConsoleIsAStream()
    {
        var result = await Run(Notebook("var x = 20;", "Console.WriteLine(\"hello\");\nx * 2 + 2"));

        Assert.True(result.Succeeded, result.Error);
        var stream = Output(result, 3, 0);
        Assert.Equal("stream", (string?)stream["output_type"]);
        Assert.Equal("stdout", (string?)stream["name"]);
        Assert.Equal("hello\n", string.Concat(((JsonArray)stream["text"]!).Select(l => (string?)l)));
        var value = Output(result, 3);
        Assert.Equal("execute_result", (string?)value["output_type"]);
        Assert.Equal("42", Text(value, "text/plain"));
        Assert.Equal(2, value["execution_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Run_StatementWithSemicolon_ShowsNoResult()
    {
        var result = await Run(Notebook("var x = 1;"));

        Assert.True(result.Succeeded, result.Error);
        Assert.Empty(result.Executed.Cells[1].Outputs);
    }

    [Fact]
    public async Task Run_FailingCell_StopsWithErrorOutputAndCliExitsNonZero()
    {
        var notebook = Notebook("var x = 1;", "throw new InvalidOperationException(\"boom at step 3\");", "x + 1");

        var result = await Run(notebook);

        Assert.False(result.Succeeded);
        Assert.Equal(3, result.FailedCell);
        var error = Output(result, 3);
        Assert.Equal("error", (string?)error["output_type"]);
        Assert.Equal("InvalidOperationException", (string?)error["ename"]);
        Assert.Equal("boom at step 3", (string?)error["evalue"]);
        Assert.NotEmpty((JsonArray)error["traceback"]!);
        Assert.Null(result.Executed.Cells[3].Json["execution_count"]);
        Assert.Empty(result.Executed.Cells[3].Outputs);

        var path = Path.Combine(_scratch.FullName, "fails.ipynb");
        notebook.Save(path);
        var executed = Path.Combine(_scratch.FullName, "fails.executed.ipynb");
        Assert.Equal(1, Cli.CliApp.Run(["notebook", path, "--output", executed]));
        var written = NotebookDocument.Load(executed);
        Assert.Equal("error", (string?)written.Cells[2].Outputs[^1]!["output_type"]);
    }

    [Fact]
    public async Task Run_CompilationError_NamesCellLineColumnAndCode()
    {
        var result = await Run(Notebook("var a = 1;", "var b = 2;\nvar c = undefinedName + b;"));

        Assert.False(result.Succeeded);
        var error = Output(result, 3);
        Assert.Equal("CompilationError", (string?)error["ename"]);
        Assert.StartsWith("cell 3, line 2, column 9: error CS0103:", (string?)error["evalue"]);
        Assert.Contains("undefinedName", (string?)error["evalue"]);
        Assert.Contains("    var c = undefinedName + b;", ((JsonArray)error["traceback"]!).Select(l => (string?)l));
    }

    [Fact]
    public async Task Run_UnknownNugetPackage_FailsNamingPackageVersionAndPlaces()
    {
        var result = await Run(Notebook("#r \"nuget: No.Such.Package, 1.2.3\"\nvar x = 1;"));

        Assert.False(result.Succeeded);
        var error = Output(result, 2);
        Assert.Equal("PackageResolutionError", (string?)error["ename"]);
        var message = (string)error["evalue"]!;
        Assert.Contains("cell 2, line 1", message);
        Assert.Contains("No.Such.Package 1.2.3 was not found", message);
        Assert.Contains("Looked in:", message);
        Assert.Contains(Path.Combine(PackageResolver.PackageCache, "no.such.package"), message);
    }

    [Fact]
    public async Task Run_OwnPackageWithAnotherVersion_FailsNamingBothVersions()
    {
        var result = await Run(Notebook("#r \"nuget: MtlNotebooks, 9.9.9\""));

        var message = (string)Output(result, 2)["evalue"]!;
        Assert.Contains("provides MtlNotebooks 0.1.0", message);
        Assert.Contains("not 9.9.9", message);
    }

    [Fact]
    public async Task Run_PackageFromLocalFolder_IsReferencedAndRuns()
    {
        var feed = Directory.CreateDirectory(Path.Combine(_scratch.FullName, "feed"));
        TestPackages.Write(feed.FullName, "Tiny.Greeter", "1.0.0", "namespace Tiny; public static class Greeter { public static string Hello(string n) => \"hello \" + n; }");

        var result = await Run(Notebook("#i \"nuget: feed\"\n#r \"nuget: Tiny.Greeter, 1.0.0\"\nTiny.Greeter.Hello(\"runner\")"));

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("hello runner", Text(Output(result, 2), "text/plain"));
    }

    [Fact]
    public async Task Run_TorchSharpPackage_ResolvesToTheRunnersOwnAssembly()
    {
        var result = await Run(Notebook("#r \"nuget: TorchSharp-cpu, 0.107.0\"\ntypeof(TorchSharp.torch).Assembly.Location"));

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(typeof(TorchSharp.torch).Assembly.Location, Text(Output(result, 2), "text/plain"));
        Assert.DoesNotContain(".nuget", typeof(TorchSharp.torch).Assembly.Location);
    }

    [Fact]
    public async Task Run_UnsupportedMagic_ReportsMagicAndCell()
    {
        var result = await Run(Notebook("var x = 1;", "#!time\nvar y = 2;"));

        Assert.False(result.Succeeded);
        var error = Output(result, 3);
        Assert.Equal("UnsupportedMagicCommand", (string?)error["ename"]);
        Assert.Contains("cell 3, line 1: the magic command '#!time' is not supported", (string?)error["evalue"]);
    }

    [Fact]
    public async Task Run_CSharpKernelChooserMagic_IsAccepted()
    {
        var result = await Run(Notebook("#!csharp\n1 + 1"));

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("2", Text(Output(result, 2), "text/plain"));
    }

    [Fact]
    public async Task Run_Parameter_OverridesDefaultWithTheDeclaredType()
    {
        var notebook = NotebookDocument.CreateCSharp();
        notebook.AddCell("code", "var smoke = false;\nvar epochs = 3;\ndouble rate = 0.5;\nvar name = \"a\";", [NotebookParameters.ParametersTag]);
        notebook.AddCell("code", "$\"{smoke} {epochs + 1} {rate * 2} {name}\"");

        var result = await Run(notebook, new Dictionary<string, string> { ["smoke"] = "true", ["epochs"] = "1", ["rate"] = "2", ["name"] = "x\"y" });

        Assert.True(result.Succeeded, result.Error);
        var injected = result.Executed.Cells[1];
        Assert.Contains(NotebookParameters.InjectedTag, injected.Tags);
        Assert.Contains("bool smoke = true;", injected.Source);
        Assert.Contains("int epochs = 1;", injected.Source);
        Assert.Equal("True 2 4 x\"y", Text(Output(result, 3), "text/plain"));
    }

    [Fact]
    public async Task Run_ParameterOfTheWrongType_ThrowsNamingParameterAndDeclaration()
    {
        var notebook = NotebookDocument.CreateCSharp();
        notebook.AddCell("code", "var epochs = 3;", [NotebookParameters.ParametersTag]);

        var ex = await Assert.ThrowsAsync<NotebookParameterException>(() => Run(notebook, new Dictionary<string, string> { ["epochs"] = "many" }));
        Assert.Contains("'many' is not a valid int", ex.Message);

        var unknown = await Assert.ThrowsAsync<NotebookParameterException>(() => Run(notebook, new Dictionary<string, string> { ["steps"] = "1" }));
        Assert.Contains("declares no parameter 'steps'", unknown.Message);
        Assert.Contains("it declares: epochs", unknown.Message);
    }

    [Fact]
    public async Task Display_ChartDataFrameTensorImage_ProduceTheirMimeTypes()
    {
        var result = await Run(Notebook(
            Setup,
            "display(Plotly.NET.CSharp.Chart.Column<double, string, string>(new[] { 1.0, 2.0 }, Keys: new[] { \"a\", \"b\" }));\n" +
            "display(new Microsoft.Data.Analysis.DataFrame(new Microsoft.Data.Analysis.DoubleDataFrameColumn(\"x\", new[] { 1.5, 2.0 })));\n" +
            "display(TorchSharp.torch.arange(6).reshape(2, 3));\n" +
            "display(PngImage.FromRgb(new MtlNotebooks.Data.RgbImage(new byte[] { 255, 0, 0 }, 1, 1)));",
            "Plotly.NET.CSharp.Chart.Line<double, double, string>(new[] { 1.0, 2.0 }, new[] { 3.0, 4.0 })"));

        Assert.True(result.Succeeded, result.Error);
        var outputs = result.Executed.Cells[2].Outputs.Cast<JsonObject>().ToList();
        Assert.Equal(5, outputs.Count);
        Assert.Equal(PlotlyHtml.PlotlyJsVersion, (string?)outputs[0]["metadata"]!["mtlnotebooks"]!["plotlyjs"]);
        Assert.Contains(PlotlyHtml.PlotlyJs[..200], Text(outputs[0], "text/html"));
        Assert.Contains("Plotly.newPlot", Text(outputs[1], "text/html"));
        Assert.Contains(PlotlyHtml.ChartClass, Text(outputs[1], "text/html"));
        Assert.Contains("<table", Text(outputs[2], "text/html"));
        Assert.Contains("<td style=\"text-align: right\">1.5</td>", Text(outputs[2], "text/html"));
        Assert.Equal("tensor [2, 3] int64 on cpu\n[[0, 1, 2],\n [3, 4, 5]]", Text(outputs[3], "text/plain"));
        Assert.StartsWith("iVBORw0KGgo", Text(outputs[4], "image/png"));
        Assert.Equal("PNG 1×1", Text(outputs[4], "text/plain"));

        // plotly.js goes into the notebook once: the second chart refers to it.
        var chartCell = result.Executed.Cells[3].Outputs.Cast<JsonObject>().ToList();
        Assert.Single(chartCell);
        Assert.Contains("Plotly.newPlot", Text(chartCell[0], "text/html"));
        Assert.Equal(1, result.Executed.Cells.SelectMany(c => c.Outputs).Count(o => o!["metadata"]?["mtlnotebooks"] is not null));
    }

    [Fact]
    public async Task Display_ObjectsAndRecords_ShowAsTablesWithoutCompilerNames()
    {
        var result = await Run(Notebook(
            Setup,
            "Enumerable.Range(1, 3).Select(i => new { Name = \"run\" + i, Seconds = i * 1234.6, Steps = i * 1000000 })",
            "new { Key = \"gradnorm\", DeltaM = -3.99 }",
            "new List<double> { 1.5, 2.25 }",
            "42",
            "HTML(\"<b>bold</b>\")",
            "new string?[] { \"a\", null }",
            "Enumerable.Range(1, 2).Select(x => x * 2)"));

        Assert.True(result.Succeeded, result.Error);
        var rows = Output(result, 3);
        var html = Text(rows, "text/html");
        Assert.StartsWith("<table class=\"mtl-table\">", html);
        Assert.Contains("<th>Name</th><th style=\"text-align: right\">Seconds</th><th style=\"text-align: right\">Steps</th>", html);
        Assert.Contains("<tr><td>run1</td><td style=\"text-align: right\">1,235</td><td style=\"text-align: right\">1,000,000</td></tr>", html);
        Assert.Equal("Name  Seconds      Steps\n----  -------  ---------\nrun1    1,235  1,000,000\nrun2    2,469  2,000,000\nrun3    3,704  3,000,000",
            Text(rows, "text/plain"));
        var single = Output(result, 4);
        Assert.Contains("<tr><td>DeltaM</td><td>-3.99</td></tr>", Text(single, "text/html"));
        Assert.DoesNotContain("AnonymousType", Text(single, "text/plain"));
        // Everything else keeps .NET Interactive's own formatter.
        Assert.Equal("[ 1.5, 2.25 ]", Text(Output(result, 5), "text/plain"));
        Assert.Equal("42", Text(Output(result, 6), "text/plain"));
        Assert.Contains("<pre>42</pre>", Text(Output(result, 6), "text/html"));
        Assert.Equal("<b>bold</b>", Text(Output(result, 7), "text/html"));
        Assert.Equal("[ a, <null> ]", Text(Output(result, 8), "text/plain"));   // a null item reaches the object formatter
        Assert.Equal("[ 2, 4 ]", Text(Output(result, 9), "text/plain"));        // a query, read once, keeps its item type
    }

    [Fact]
    public async Task Display_Tuples_ShowTheirElementNames()
    {
        var result = await Run(Notebook(
            Setup,
            "var loss = 0.25; (loss, Accuracy: 0.875)",
            "Enumerable.Range(1, 2).Select(i => (Run: \"run\" + i, Steps: i * 1000)).ToArray()",
            "new[] { \"a\", \"b\" }.Select(s => (s, s.Length + 1))",
            "(1, 2)",
            "var named = (Width: 8, Depth: 2);"));

        Assert.True(result.Succeeded, result.Error);
        // One tuple: a property table under the code's names, inferred ones included.
        Assert.Contains("<tr><td>loss</td><td>0.25</td></tr>", Text(Output(result, 3), "text/html"));
        Assert.Contains("<tr><td>Accuracy</td><td>0.875</td></tr>", Text(Output(result, 3), "text/html"));
        Assert.Equal("property  value\n--------  -----\nloss      0.25\nAccuracy  0.875\n", Text(Output(result, 3), "text/plain"));
        // A sequence of tuples: a table whose columns carry the names; partly named ones keep Item2 for the rest.
        Assert.Equal("Run   Steps\n----  -----\nrun1  1,000\nrun2  2,000\n", Text(Output(result, 4), "text/plain"));
        Assert.StartsWith("s  Item2\n", Text(Output(result, 5), "text/plain"));
        // Without names, and as a statement, nothing changes.
        Assert.StartsWith("property  value\n--------  -----\nItem1", Text(Output(result, 6), "text/plain"));
        Assert.Empty(result.Executed.Cells[6].Outputs);
    }

    [Fact]
    public async Task Training_WithoutProgressOfItsOwn_ShowsOneLineUpdatedToTheLastStep()
    {
        var result = await Run(Notebook(
            Setup,
            "using MtlNotebooks.Training;\n" +
            "var line = AmbientProgress.Current!(\"demo\");\n" +
            "for (int s = 1; s <= 4; s++)\n" +
            "    line.Report(new TrainingProgress(\"demo\", (s + 1) / 2, 2, s, 4, 1.0 / s, TimeSpan.FromSeconds(s), TimeSpan.FromSeconds(4 - s)));",
            "var stopped = MtlNotebooks.Training.AmbientProgress.Current!(\"stopped\");\n" +
            "for (int s = 1; s <= 3; s++)\n" +
            "    stopped.Report(new MtlNotebooks.Training.TrainingProgress(\"stopped\", 1, 1, s, 10, 1.0, TimeSpan.FromSeconds(s), TimeSpan.FromSeconds(10 - s)));"));

        Assert.True(result.Succeeded, result.Error);
        var outputs = result.Executed.Cells[2].Outputs.Cast<JsonObject>().ToList();
        Assert.Single(outputs);
        Assert.Equal("display_data", (string?)outputs[0]["output_type"]);
        Assert.Equal("demo: epoch 2/2, step 4/4, loss 0.250, elapsed 0:04, done", Text(outputs[0], "text/plain"));
        // A run that stops early (here within the 0.5 s between updates) shows where it stopped when the cell ends.
        Assert.Equal("stopped: epoch 1/1, step 3/10, loss 1.000, elapsed 0:03, ETA 0:07", Text(Output(result, 4), "text/plain"));
    }

    [Fact]
    public async Task Display_Update_ReplacesTheShownValue()
    {
        var result = await Run(Notebook("var shown = display(\"first\");\nshown.Update(\"second\");"));

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("second", Text(Output(result, 2), "text/plain"));
    }

    [Fact]
    public async Task Html_MarksStringAsHtml()
    {
        var result = await Run(Notebook("HTML(\"<b>bold</b>\")"));

        Assert.Equal("<b>bold</b>", Text(Output(result, 2), "text/html"));
    }

    [Fact]
    public async Task Run_LargeTensor_ShowsStatisticsAndFirstValues()
    {
        var result = await Run(Notebook(Setup, "TorchSharp.torch.arange(100, dtype: TorchSharp.torch.ScalarType.Float32)"));

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(
            "tensor [100] float32 on cpu\nmin 0  max 99  mean 49.5\n[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, …] (first 12 of 100 values, row-major)",
            Text(Output(result, 3), "text/plain"));
    }

    [Fact]
    public async Task Executed_Notebook_IsStructurallyValidNbformat4()
    {
        var result = await Run(Notebook(Setup, "Console.WriteLine(1);\ndisplay(2);\n3", "throw new Exception(\"stop\");"));

        var reparsed = JsonNode.Parse(result.Executed.ToJson())!.AsObject();
        Assert.Empty(NbformatStructure.Problems(reparsed));
        Assert.Equal(
            ["stream", "display_data", "execute_result"],
            result.Executed.Cells[2].Outputs.Select(o => (string)o!["output_type"]!));
    }

    [Fact]
    public void NbformatStructure_MissingKeys_AreReported()
    {
        var broken = JsonNode.Parse("""{"nbformat": 4, "nbformat_minor": 2, "metadata": {}, "cells": [{"cell_type": "code", "source": "x", "metadata": {}, "outputs": [{"output_type": "error", "ename": "E"}], "id": "1"}]}""")!.AsObject();

        var problems = NbformatStructure.Problems(broken);

        Assert.Contains("cell 1: key 'id' is not allowed in a code cell", problems);
        Assert.Contains("cell 1: execution_count must be an integer or null", problems);
        Assert.Contains("cell 1: error output lacks 'evalue'", problems);
        Assert.Contains("cell 1: error output lacks 'traceback'", problems);
    }

    [Fact]
    public async Task HtmlExport_InlinesPlotlyJsOnceAndRendersMarkdownAndOutputs()
    {
        var notebook = Notebook(Setup,
            "display(Plotly.NET.CSharp.Chart.Line<double, double, string>(new[] { 1.0, 2.0 }, new[] { 3.0, 4.0 }));\n" +
            "Plotly.NET.CSharp.Chart.Line<double, double, string>(new[] { 1.0, 2.0 }, new[] { 5.0, 6.0 })");
        notebook.AddCell("markdown", "Some **bold** text.");
        var result = await Run(notebook);

        var html = NotebookHtmlExporter.Export(result.Executed);

        Assert.True(result.Succeeded, result.Error);
        var marker = PlotlyHtml.PlotlyJs[..200];
        Assert.Equal(1, Occurrences(html, marker));
        Assert.Equal(2, Occurrences(html, "Plotly.newPlot(\"mtl-chart-"));
        Assert.Matches("<h1[^>]*>99 · Test</h1>", html);
        Assert.Contains("<strong>bold</strong>", html);
        Assert.Contains("<title>99 · Test</title>", html);
    }

    private static int Occurrences(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
