using MtlNotebooks.Scripting;

namespace MtlNotebooks.NotebookTests.Kernel;

/// <summary>What the notebooks under .NET Interactive share, made once for <see cref="PolyglotKernelTests"/>: the tool's
/// kernelspec under a scratch JUPYTER_PATH, the library packed into a scratch feed, and a scratch NuGet folder the
/// first notebook restores into and the others reuse.</summary>
public sealed class PolyglotSetup : IDisposable
{
    private const string ToolVersion = "1.0.712001";
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("mtl-polyglot-setup-");
    private (string Kernels, string Feed, string Packages)? _prepared;

    /// <summary>The kernelspec folder (for JUPYTER_PATH), the package feed and the NuGet packages folder.</summary>
    internal (string Kernels, string Feed, string Packages) Prepare(JupyterClients clients) =>
        _prepared ??= (InstallKernelSpec(clients), PackedLibrary(clients), _scratch.CreateSubdirectory("nuget-packages").FullName);

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

    public static string Tool()
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
