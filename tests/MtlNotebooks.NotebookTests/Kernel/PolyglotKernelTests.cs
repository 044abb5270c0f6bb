using System.Diagnostics;
using System.Text.Json.Nodes;
using MtlNotebooks.Analysis;
using MtlNotebooks.Interactive;
using MtlNotebooks.Scripting;
using Xunit.Abstractions;

namespace MtlNotebooks.NotebookTests.Kernel;

/// <summary>The notebooks under the kernel they declare, .NET Interactive's (the <c>Microsoft.dotnet-interactive</c>
/// tool, as Polyglot Notebooks and Jupyter run it), executed by nbclient: the library packed as the README says, found
/// through notebooks/NuGet.Config, TorchSharp's native library loaded on a libstdc++ without GLIBCXX_3.4.32, charts
/// drawn. Packages restore into a scratch NuGet folder (<see cref="PolyglotSetup"/>, shared by this class's notebooks), so
/// a stale 0.1.0 in the user's cache is never what runs. That kernel has no parameters: smoke mode is injected as
/// papermill injects it, a cell after the parameters cell.</summary>
[Collection(OutOfProcess.KernelClients)]
public sealed class PolyglotKernelTests(PolyglotSetup setup, ITestOutputHelper log) : IClassFixture<PolyglotSetup>, IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("mtl-polyglot-");

    public static TheoryData<string, bool> Notebooks() => new()
    {
        { "notebooks/00-quick-tour.ipynb", true },
        { "notebooks/06-custom-distillation-unit.ipynb", false },
        { "notebooks/13-write-a-balancer.ipynb", true },
    };

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_RunsUnderDotNetInteractive(string notebook, bool hasCharts)
    {
        using var clients = new JupyterClients();
        clients.RequirePython("nbclient");
        var (kernels, feed, packages) = setup.Prepare(clients);
        var toolFolder = Path.GetDirectoryName(PolyglotSetup.Tool())!;   // the kernelspec starts `dotnet interactive`, which finds the tool on PATH
        var folder = _scratch.CreateSubdirectory("notebook");
        File.WriteAllText(Path.Combine(folder.FullName, "NuGet.Config"),
            File.ReadAllText(RepositoryFiles.Full("notebooks/NuGet.Config")).Replace("../artifacts/packages", feed));
        var document = NotebookDocument.Load(RepositoryFiles.Full(notebook));
        NotebookParameters.Inject(document, new Dictionary<string, string> { ["smoke"] = "true" });
        var input = Path.Combine(folder.FullName, Path.GetFileName(notebook));
        document.Save(input);
        var output = _scratch.CreateSubdirectory("executed");
        var dataHome = _scratch.CreateSubdirectory("data-home").FullName;

        var (exitCode, text, elapsed) = clients.Run(JupyterClients.Python,
        [
            "-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=.net-csharp",
            "--ExecutePreprocessor.timeout=900", "--ExecutePreprocessor.startup_timeout=180", "--output-dir", output.FullName, input,
        ], TimeSpan.FromMinutes(20), new Dictionary<string, string>
        {
            ["JUPYTER_PATH"] = kernels,
            ["NUGET_PACKAGES"] = packages,
            ["XDG_DATA_HOME"] = dataHome,
            ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["PATH"] = $"{Environment.GetEnvironmentVariable("PATH")}{Path.PathSeparator}{toolFolder}",
        });

        log.WriteLine($"{notebook}: {elapsed.TotalSeconds:0.0} s under .NET Interactive");
        Assert.True(exitCode == 0, $"nbconvert exited with {exitCode}:\n{text}");
        var executed = JsonNode.Parse(File.ReadAllText(Path.Combine(output.FullName, Path.GetFileName(notebook))))!;
        var code = executed["cells"]!.AsArray().Where(c => (string?)c!["cell_type"] == "code").ToList();
        var outputs = code.SelectMany(c => c!["outputs"]!.AsArray()).ToList();
        var errors = outputs.Where(o => (string?)o!["output_type"] == "error").ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e!["ename"]}: {e["evalue"]}")));
        Assert.All(code, c => Assert.NotNull(c!["execution_count"]));
        var html = outputs.Select(o => Text(o!["data"]?["text/html"])).ToList();
        if (hasCharts) AssertChartsDrawOffline(notebook, html);
        Assert.DoesNotContain(outputs, o => Text(o!["text"]).Contains("GLIBCXX", StringComparison.Ordinal));
        // Where the system's libstdc++ lacks the version TorchSharp's native library asks for, it ran from a patched copy.
        var copies = Directory.Exists(Path.Combine(dataHome, "MtlNotebooks", "native"))
            ? Directory.GetFiles(Path.Combine(dataHome, "MtlNotebooks", "native"), "libLibTorchSharp.so", SearchOption.AllDirectories) : [];
        Assert.Equal(SystemLacksGlibcxx3432() ? 1 : 0, copies.Length);
    }

    /// <summary>The outputs as that kernel left them, on one page with no network: plotly.js comes once, with the first
    /// chart, and every chart is drawn without a script error.</summary>
    private void AssertChartsDrawOffline(string notebook, IReadOnlyList<string> html)
    {
        var charts = html.Count(PlotlyHtml.NeedsPlotlyJs);
        Assert.True(charts > 0, $"{notebook}: no chart under .NET Interactive");
        Assert.Equal(1, html.Count(h => h.Contains(ChartHtml.BundleMarker, StringComparison.Ordinal)));
        Assert.Contains(ChartHtml.BundleMarker, html.First(PlotlyHtml.NeedsPlotlyJs));
        var page = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n" +
                   string.Concat(html.Where(h => h.Length > 0).Select(h => $"<div class=\"output\">{h}</div>\n")) + "</body></html>";
        var rendered = ChromiumRender.Render(page, _scratch.CreateSubdirectory("render").FullName);
        Assert.True(rendered.Errors.Count == 0, $"{notebook}: script errors: {string.Join("; ", rendered.Errors)}");
        Assert.Equal(charts, rendered.Charts.Count);
        Assert.All(rendered.Charts, c => Assert.True(c.Drawn, $"{notebook}: chart {c.Index + 1} is not drawn under .NET Interactive"));
    }

    /// <summary>Where the host prepares a copy: Linux x64 with a libstdc++ (in the places it looks) that lacks the version.</summary>
    private static bool SystemLacksGlibcxx3432()
    {
        string[] places = ["/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6"];
        var system = places.FirstOrDefault(File.Exists);
        return OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64 &&
               system is not null && File.ReadAllBytes(system).AsSpan().IndexOf("GLIBCXX_3.4.32\0"u8) < 0;
    }

    /// <summary>A notebook's multi-line string: one string or an array of lines.</summary>
    private static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        JsonValue value => (string?)value ?? "",
        _ => "",
    };

    public void Dispose() => _scratch.Delete(recursive: true);
}
