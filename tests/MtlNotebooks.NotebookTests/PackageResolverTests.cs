using System.Text.Json.Nodes;
using MtlNotebooks.Scripting;
using NuGet.Frameworks;

namespace MtlNotebooks.NotebookTests;

/// <summary><c>#r "nuget:"</c> resolution follows NuGet: SemVer 2.0 order, version ranges and floating versions, and
/// the lib/ folder and dependency group NuGet picks for the runtime.</summary>
public sealed class PackageResolverTests : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(5);
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("mtl-resolver-");
    private readonly DirectoryInfo _feed;

    // Unique ids: the resolver keeps extracted packages by id and version in the temporary folder.
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];
    private readonly List<string> _ids = [];

    public PackageResolverTests() => _feed = _scratch.CreateSubdirectory("feed");

    public void Dispose()
    {
        _scratch.Delete(recursive: true);
        foreach (var id in _ids)
        {
            var extracted = Path.Combine(Path.GetTempPath(), "mtl-notebooks-packages", id.ToLowerInvariant());
            if (Directory.Exists(extracted)) Directory.Delete(extracted, recursive: true);
        }
    }

    private string Package(string name, string version, string source, string[]? libFolders = null, string dependencies = "")
    {
        var id = $"Tiny.{name}{_suffix}";
        if (!_ids.Contains(id)) _ids.Add(id);
        TestPackages.Write(_feed.FullName, id, version, source, libFolders, dependencies.Replace("{suffix}", _suffix, StringComparison.Ordinal));
        return id;
    }

    private async Task<string> Evaluate(string cell)
    {
        var notebook = NotebookDocument.CreateCSharp();
        notebook.AddCell("code", "#i \"nuget: feed\"\n" + cell);
        var result = await NotebookRunner.RunAsync(notebook, _scratch.FullName).WaitAsync(HangGuard);
        Assert.True(result.Succeeded, result.Error);
        return MimeBundle.Text((JsonObject)((JsonObject)result.Executed.Cells[0].Outputs[^1]!)["data"]!, "text/plain")!;
    }

    private static string Versioned(string version) => $"namespace Tiny; public static class Versioned {{ public static string V() => \"{version}\"; }}";

    [Theory]
    [InlineData("1.0.0-beta.10", "1.0.0-beta.9", 1)]
    [InlineData("1.0.0-rc.1", "1.0.0-beta.11", 1)]
    [InlineData("1.0.0-beta.2", "1.0.0-beta.10", -1)]
    [InlineData("1.0.0", "1.0.0-rc.1", 1)]
    [InlineData("1.0.0+build.5", "1.0.0", 0)]
    [InlineData("1.0.0-alpha", "1.0.0-alpha.1", -1)]
    public void CompareVersions_NumericPreReleaseLabels_CompareAsNumbers(string a, string b, int expected) =>
        Assert.Equal(expected, Math.Sign(PackageResolver.CompareVersions(a, b)));

    [Fact]
    public void BestFramework_ForNet10_TakesWhatNuGetTakes()
    {
        var net10 = NuGetFramework.Parse("net10.0");

        Assert.Equal("net8.0", PackageResolver.BestFramework(["netstandard2.0", "net8.0", "net10.0-windows", "net11.0", "net472"], net10));
        Assert.Equal("netstandard2.0", PackageResolver.BestFramework(["net472", "netstandard2.0", "netstandard1.3"], net10));
        Assert.Equal("netcoreapp3.1", PackageResolver.BestFramework(["netstandard2.1", "netcoreapp3.1"], net10));
        Assert.Equal("net10.0", PackageResolver.BestFramework(["net8.0", "net10.0", "net9.0"], net10));
        Assert.Null(PackageResolver.BestFramework(["net48", "net10.0-android", "portable-net45+win8"], net10));
        Assert.Equal("net8.0", PackageResolver.BestFramework(["netstandard2.0", "net8.0"], NuGetFramework.Parse("net9.0")));
    }

    [Fact]
    public async Task Resolve_FloatingPreRelease_TakesTheHighestNumericLabel()
    {
        var id = Package("Versioned", "1.0.0-beta.9", Versioned("beta.9"));
        Package("Versioned", "1.0.0-beta.10", Versioned("beta.10"));

        Assert.Equal("beta.10", await Evaluate($"#r \"nuget: {id}, 1.0.0-beta.*\"\nTiny.Versioned.V()"));
    }

    [Fact]
    public async Task Resolve_NoVersion_TakesTheNewestStableRelease()
    {
        var id = Package("Versioned", "1.0.0", Versioned("1.0.0"));
        Package("Versioned", "1.1.0-beta.1", Versioned("1.1.0-beta.1"));

        Assert.Equal("1.0.0", await Evaluate($"#r \"nuget: {id}\"\nTiny.Versioned.V()"));
    }

    [Fact]
    public async Task Resolve_VersionAndRange_TakeTheLowestThatSatisfiesThem()
    {
        var id = Package("Versioned", "1.2.0", Versioned("1.2.0"));
        Package("Versioned", "1.3.0", Versioned("1.3.0"));
        Package("Versioned", "2.0.0", Versioned("2.0.0"));

        // A bare version is a minimum, as in a PackageReference.
        Assert.Equal("1.2.0", await Evaluate($"#r \"nuget: {id}, 1.1.0\"\nTiny.Versioned.V()"));
        Assert.Equal("1.3.0", await Evaluate($"#r \"nuget: {id}, [1.3.0, 2.0.0)\"\nTiny.Versioned.V()"));
    }

    [Fact]
    public async Task Resolve_MultiTargetedPackage_TakesTheNet8AssetsAndDependencyGroup()
    {
        var dependency = Package("Dep", "1.0.0", "namespace Tiny; public static class Dep { public static string Name => \"dep\"; }");
        var id = Package("Multi", "1.0.0", "namespace Tiny; public static class Multi { public static string Which() => \"multi\"; }",
            ["net472", "netstandard2.0", "net8.0"],
            "<dependencies><group targetFramework=\".NETStandard2.0\"><dependency id=\"No.Such.Dependency\" version=\"1.0.0\" /></group>" +
            $"<group targetFramework=\"net8.0\"><dependency id=\"{dependency}\" version=\"1.0.0\" /></group></dependencies>");

        Assert.Equal("multi dep", await Evaluate($"#r \"nuget: {id}, 1.0.0\"\nTiny.Multi.Which() + \" \" + Tiny.Dep.Name"));
    }

    [Fact]
    public async Task Resolve_InvalidVersion_NamesPackageAndVersion()
    {
        var notebook = NotebookDocument.CreateCSharp();
        notebook.AddCell("code", "#r \"nuget: Some.Package, not-a-version\"");

        var result = await NotebookRunner.RunAsync(notebook, _scratch.FullName).WaitAsync(HangGuard);

        Assert.False(result.Succeeded);
        Assert.Contains("cell 1, line 1: #r \"nuget: Some.Package, not-a-version\": 'not-a-version' is not a NuGet version or version range", result.Error);
    }

    [Theory]
    [InlineData("1.0.0", "1.0.0-beta", 1)]
    [InlineData("1.10.0", "1.9.0", 1)]
    [InlineData("2.0", "2.0.0", 0)]
    [InlineData("1.0.0-alpha", "1.0.0-beta", -1)]
    public void CompareVersions_FollowsNuGetOrder(string a, string b, int expected) =>
        Assert.Equal(expected, Math.Sign(PackageResolver.CompareVersions(a, b)));

    [Fact]
    public void BestFramework_PrefersNewestNetThenNetStandard()
    {
        Assert.Equal("net8.0", PackageResolver.BestFramework(["netstandard2.0", "net8.0", "net462", "net6.0"]));
        Assert.Equal("netstandard2.1", PackageResolver.BestFramework(["netstandard2.0", "netstandard2.1", "net48"]));
        Assert.Null(PackageResolver.BestFramework(["net48"]));
    }
}
