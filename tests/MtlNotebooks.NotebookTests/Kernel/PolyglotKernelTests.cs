using System.Diagnostics;
using System.Text.Json.Nodes;
using MtlNotebooks.Scripting;
using Xunit.Abstractions;

namespace MtlNotebooks.NotebookTests.Kernel;

/// <summary>The notebooks under the kernel they declare, .NET Interactive's (the <c>Microsoft.dotnet-interactive</c>
/// tool, as Polyglot Notebooks and Jupyter run it), executed by nbclient: the library packed as the README says, found
/// through notebooks/NuGet.Config, TorchSharp's native library loaded on a libstdc++ without GLIBCXX_3.4.32, charts
/// drawn. Packages restore into a scratch NuGet folder, so a stale 0.1.0 in the user's cache is never what runs. That
/// kernel has no parameters: smoke mode is injected as papermill injects it, a cell after the parameters cell.</summary>
public sealed class PolyglotKernelTests(ITestOutputHelper log) : IDisposable
{
    private const string ToolVersion = "1.0.712001";
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
        var kernels = InstallKernelSpec(clients);
        var toolFolder = Path.GetDirectoryName(Tool())!;   // the kernelspec starts `dotnet interactive`, which finds the tool on PATH
        var feed = PackedLibrary(clients);
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
            ["NUGET_PACKAGES"] = _scratch.CreateSubdirectory("nuget-packages").FullName,
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
        if (hasCharts) Assert.Contains(html, h => h.Contains("Plotly.newPlot", StringComparison.Ordinal));
        Assert.DoesNotContain(outputs, o => Text(o!["text"]).Contains("GLIBCXX", StringComparison.Ordinal));
        // Where the system's libstdc++ lacks the version TorchSharp's native library asks for, it ran from a patched copy.
        var copies = Directory.Exists(Path.Combine(dataHome, "MtlNotebooks", "native"))
            ? Directory.GetFiles(Path.Combine(dataHome, "MtlNotebooks", "native"), "libLibTorchSharp.so", SearchOption.AllDirectories) : [];
        Assert.Equal(SystemLacksGlibcxx3432() ? 1 : 0, copies.Length);
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

    /// <summary>The tool's kernelspec under a scratch folder (JUPYTER_PATH), the user's Jupyter untouched.</summary>
    private string InstallKernelSpec(JupyterClients clients)
    {
        var tool = Tool();
        var kernels = _scratch.CreateSubdirectory("jupyter");
        var (code, text, _) = clients.Run(tool, ["jupyter", "install", "--path", kernels.CreateSubdirectory("kernels").FullName], TimeSpan.FromMinutes(2),
            new Dictionary<string, string> { ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1" });
        Assert.True(code == 0, $"{tool} jupyter install failed ({code}):\n{text}");
        return kernels.FullName;
    }

    private static string Tool()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Append(Path.Combine(home, ".dotnet", "tools")).Select(d => Path.Combine(d, "dotnet-interactive"));
        return candidates.FirstOrDefault(File.Exists)
               ?? throw new Xunit.Sdk.XunitException(
                   $"dotnet-interactive is not installed: dotnet tool install -g Microsoft.dotnet-interactive --version {ToolVersion} (.ci/run does).");
    }

    /// <summary>The four packages the notebooks reference, packed from this test build's output as the README packs them.</summary>
    private string PackedLibrary(JupyterClients clients)
    {
        var feed = _scratch.CreateSubdirectory("feed").FullName;
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!.Name;
        foreach (var project in new[] { "MtlNotebooks.Core", "MtlNotebooks.Data", "MtlNotebooks", "MtlNotebooks.Interactive" })
        {
            var (code, text, _) = clients.Run("dotnet",
                ["pack", Path.Combine(RepositoryFiles.Root, "src", project), "--no-build", "-c", configuration, "-o", feed, "--nologo"], TimeSpan.FromMinutes(5));
            Assert.True(code == 0, $"dotnet pack {project} failed:\n{text}");
        }
        return feed;
    }

    public void Dispose() => _scratch.Delete(recursive: true);
}
