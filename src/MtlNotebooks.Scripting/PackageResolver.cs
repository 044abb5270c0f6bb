using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.DotNet.Interactive.Formatting;
using MtlNotebooks.Interactive;
using NuGet.Frameworks;
using NuGet.Versioning;

namespace MtlNotebooks.Scripting;

/// <summary>Resolves <c>#r "nuget: Id, Version"</c> without a NuGet restore. The project's own packages and the packages
/// the runner already loads (TorchSharp, Plotly.NET, Microsoft.Data.Analysis, SkiaSharp, …) resolve to the runner's own
/// assemblies: a notebook never loads a second TorchSharp or a native library other than the build-patched copy next to
/// the runner. Any other package comes from a <c>#i</c> folder (a flat folder of .nupkg files or a
/// global-packages-style tree) or the restored package cache (~/.nuget/packages, or NUGET_PACKAGES), taking the
/// lib/ folder and dependency group NuGet would pick for the running .NET, with its dependencies found the same way.</summary>
public sealed class PackageResolver
{
    private static readonly string FrameworkDirectory = System.IO.Path.GetDirectoryName(typeof(object).Assembly.Location)!;

    private readonly List<string> _sources = [];
    private readonly HashSet<string> _resolved = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Package ids (lower case) the runner provides, with the assemblies that stand for them.</summary>
    public static IReadOnlyDictionary<string, Assembly[]> ProvidedPackages { get; } = CreateProvided();

    /// <summary>Ids whose version must match the runner's: the project's own packages.</summary>
    public static IReadOnlyList<string> OwnPackages { get; } = ["MtlNotebooks", "MtlNotebooks.Core", "MtlNotebooks.Data", "MtlNotebooks.Interactive"];

    public static string PackageCache =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } cache
            ? cache
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    public IReadOnlyList<string> Sources => _sources;

    /// <summary>Adds a <c>#i</c> source; a relative folder is taken relative to <paramref name="baseDirectory"/>.
    /// Feed URLs are accepted and ignored (the runner never downloads).</summary>
    public void AddSource(string source, string baseDirectory)
    {
        if (Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            return;
        var folder = System.IO.Path.GetFullPath(System.IO.Path.Combine(baseDirectory, source));
        if (!_sources.Contains(folder)) _sources.Add(folder);
    }

    /// <summary>The metadata references for a package and its dependencies.</summary>
    public IReadOnlyList<MetadataReference> Resolve(string id, string? version)
    {
        var references = new List<MetadataReference>();
        ResolveInto(id, version, references, topLevel: true);
        return references;
    }

    private void ResolveInto(string id, string? version, List<MetadataReference> references, bool topLevel)
    {
        var range = Range(id, version);
        if (ProvidedPackages.TryGetValue(id.ToLowerInvariant(), out var assemblies))
        {
            var own = OwnPackages.FirstOrDefault(o => o.Equals(id, StringComparison.OrdinalIgnoreCase));
            if (own is not null && range is not null)
            {
                var provided = ProvidedVersion(assemblies[0]);
                if (!NuGetVersion.TryParse(provided, out var providedVersion) || !range.Satisfies(providedVersion))
                    throw new PackageResolutionException(
                        $"#r \"nuget: {id}, {version}\": the runner provides {own} {provided} (the assemblies it was built with), not {version}. " +
                        $"Use version {provided}, or build the runner from the sources of {version}.");
            }

            if (_resolved.Add(id))
                references.AddRange(Closure(assemblies).Select(a => MetadataReference.CreateFromFile(a.Location)));
            return;
        }

        if (!_resolved.Add(id))
            return;
        var looked = new List<string>();
        foreach (var root in _sources.Append(PackageCache))
        {
            var package = FindInSource(root, id, range, looked);
            if (package is null) continue;
            references.AddRange(package.Assemblies.Select(a => MetadataReference.CreateFromFile(a)));
            foreach (var (depId, depVersion) in package.Dependencies)
                ResolveInto(depId, depVersion, references, topLevel: false);
            return;
        }

        _resolved.Remove(id);
        if (!topLevel)
            return; // a dependency the shared framework supplies (System.Memory, …) is not an error
        throw new PackageResolutionException(
            $"#r \"nuget: {id}{(version is null ? "" : ", " + version)}\": package {id} {version ?? "(any version)"} was not found. " +
            $"The runner provides {string.Join(", ", ProvidedIds)} itself; any other package must be in a #i folder or restored in the package cache. " +
            $"Looked in: {string.Join("; ", looked)}.");
    }

    /// <summary>The version range of a reference as NuGet reads it ("1.2.3" is at least 1.2.3, "1.*" floats); null for none.</summary>
    private static VersionRange? Range(string id, string? version)
    {
        if (string.IsNullOrWhiteSpace(version))
            return null;
        return VersionRange.TryParse(version, allowFloating: true, out var range)
            ? range
            : throw new PackageResolutionException($"#r \"nuget: {id}, {version}\": '{version}' is not a NuGet version or version range.");
    }

    private static IEnumerable<string> ProvidedIds => ProvidedPackages.Keys.Order(StringComparer.Ordinal);

    private sealed record FoundPackage(IReadOnlyList<string> Assemblies, IReadOnlyList<(string Id, string? Version)> Dependencies);

    private static FoundPackage? FindInSource(string root, string id, VersionRange? range, List<string> looked)
    {
        // global-packages layout: <root>/<id lower>/<version>/lib/<tfm>/*.dll
        var tree = System.IO.Path.Combine(root, id.ToLowerInvariant());
        if (Directory.Exists(tree))
        {
            var versions = Directory.GetDirectories(tree).Select(System.IO.Path.GetFileName).OfType<string>().ToList();
            var chosen = Choose(versions, range);
            if (chosen is not null)
            {
                var folder = System.IO.Path.Combine(tree, chosen);
                var nuspec = Directory.GetFiles(folder, "*.nuspec").FirstOrDefault();
                return FromFolder(folder, nuspec is null ? null : XDocument.Load(nuspec), id, chosen);
            }

            looked.Add($"{tree} (versions {string.Join(", ", versions)}; none is in {range?.ToString() ?? "any version"})");
        }
        else
        {
            looked.Add($"{tree} (missing)");
        }

        // flat folder of packages: <root>/<id>.<version>.nupkg
        if (Directory.Exists(root))
        {
            var prefix = id + ".";
            var candidates = Directory.GetFiles(root, "*.nupkg")
                .Select(p => System.IO.Path.GetFileNameWithoutExtension(p))
                .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && char.IsDigit(n[prefix.Length..].FirstOrDefault()))
                .Select(n => n[prefix.Length..])
                .ToList();
            var chosen = Choose(candidates, range);
            if (chosen is not null)
                return FromNupkg(System.IO.Path.Combine(root, $"{id}.{chosen}.nupkg"), id, chosen);
            looked.Add($"{root} (no {id}.nupkg in {range?.ToString() ?? "any version"})");
        }

        return null;
    }

    private static FoundPackage FromNupkg(string nupkg, string id, string version)
    {
        if (!File.Exists(nupkg))
            nupkg = Directory.GetFiles(System.IO.Path.GetDirectoryName(nupkg)!, "*.nupkg")
                .First(p => System.IO.Path.GetFileName(p).Equals(System.IO.Path.GetFileName(nupkg), StringComparison.OrdinalIgnoreCase));
        var target = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mtl-notebooks-packages", id.ToLowerInvariant(), version);
        if (!Directory.Exists(target))
        {
            var staging = target + "." + Guid.NewGuid().ToString("N");
            ZipFile.ExtractToDirectory(nupkg, staging);
            try
            {
                Directory.Move(staging, target);
            }
            catch (IOException) when (Directory.Exists(target))
            {
                Directory.Delete(staging, recursive: true); // extracted concurrently by another run
            }
        }

        var nuspec = Directory.GetFiles(target, "*.nuspec").FirstOrDefault();
        return FromFolder(target, nuspec is null ? null : XDocument.Load(nuspec), id, version);
    }

    private static FoundPackage FromFolder(string folder, XDocument? nuspec, string id, string version)
    {
        var lib = System.IO.Path.Combine(folder, "lib");
        var frameworks = Directory.Exists(lib) ? Directory.GetDirectories(lib).Select(System.IO.Path.GetFileName).OfType<string>().ToList() : [];
        var best = BestFramework(frameworks);
        var assemblies = best is null ? [] : Directory.GetFiles(System.IO.Path.Combine(lib, best), "*.dll").Order(StringComparer.Ordinal).ToList();
        if (assemblies.Count == 0 && frameworks.Count > 0)
            throw new PackageResolutionException(
                $"Package {id} {version} in {folder} has no assemblies for {RuntimeFramework.GetShortFolderName()} (lib/ has {string.Join(", ", frameworks)}).");
        return new FoundPackage(assemblies, nuspec is null ? [] : Dependencies(nuspec));
    }

    /// <summary>The dependencies of the nuspec group NuGet would pick for the runtime (a group without a
    /// targetFramework applies to any), or the flat list of an old nuspec without groups.</summary>
    private static List<(string, string?)> Dependencies(XDocument nuspec)
    {
        var groups = nuspec.Descendants().Where(e => e.Name.LocalName == "group" && e.Parent?.Name.LocalName == "dependencies")
            .Select(g => (Group: g, Framework: g.Attribute("targetFramework")?.Value is { Length: > 0 } tfm ? NuGetFramework.Parse(tfm) : NuGetFramework.AnyFramework))
            .ToList();
        var nearest = new FrameworkReducer().GetNearest(RuntimeFramework, groups.Select(g => g.Framework));
        var entries = groups.Count > 0
            ? groups.FirstOrDefault(g => g.Framework.Equals(nearest)).Group?.Elements() ?? []
            : nuspec.Descendants().Where(e => e.Name.LocalName == "dependency" && e.Parent?.Name.LocalName == "dependencies");
        return entries.Where(e => e.Name.LocalName == "dependency" && e.Attribute("id") is not null)
            .Select(e => (e.Attribute("id")!.Value, e.Attribute("version")?.Value)).ToList();
    }

    /// <summary>The framework the runner compiles cells against: the running .NET (net10.0 on .NET 10).</summary>
    internal static NuGetFramework RuntimeFramework { get; } = NuGetFramework.Parse($"net{Environment.Version.Major}.{Environment.Version.Minor}");

    /// <summary>The lib/ folder NuGet would take for <paramref name="target"/> (default: the runtime): the nearest
    /// compatible framework (net8.0 over netstandard2.1 over netstandard2.0); null when none is compatible.</summary>
    internal static string? BestFramework(IReadOnlyList<string> folders, NuGetFramework? target = null)
    {
        var parsed = folders.Select(f => (Folder: f, Framework: NuGetFramework.ParseFolder(f))).Where(x => !x.Framework.IsUnsupported).ToList();
        var nearest = new FrameworkReducer().GetNearest(target ?? RuntimeFramework, parsed.Select(x => x.Framework));
        return nearest is null ? null : parsed.First(x => x.Framework.Equals(nearest)).Folder;
    }

    /// <summary>The version (as spelled in the folder or file name) NuGet would take from <paramref name="available"/>:
    /// for a range, its best match (the lowest that satisfies it, or the highest of a floating range); without a
    /// version, the newest stable release, else the newest pre-release.</summary>
    internal static string? Choose(IReadOnlyList<string> available, VersionRange? range)
    {
        var versions = available.Select(v => (Text: v, Version: NuGetVersion.TryParse(v, out var n) ? n : null))
            .Where(x => x.Version is not null).GroupBy(x => x.Version!).ToDictionary(g => g.Key, g => g.First().Text);
        var chosen = range is not null
            ? range.FindBestMatch(versions.Keys)
            : versions.Keys.Where(v => !v.IsPrerelease).DefaultIfEmpty().Max() ?? versions.Keys.Max();
        return chosen is null ? null : versions[chosen];
    }

    /// <summary>NuGet's version order (SemVer 2.0: numeric pre-release labels compare as numbers, so beta.10 > beta.9).</summary>
    internal static int CompareVersions(string a, string b) => NuGetVersion.Parse(a).CompareTo(NuGetVersion.Parse(b));

    private static string ProvidedVersion(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return informational?.Split('+')[0] ?? assembly.GetName().Version?.ToString(3) ?? "?";
    }

    /// <summary>An assembly and the non-framework assemblies it references, transitively (what NuGet would bring).</summary>
    internal static IReadOnlyList<Assembly> Closure(IEnumerable<Assembly> roots)
    {
        var seen = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
        var queue = new Queue<Assembly>(roots);
        while (queue.TryDequeue(out var assembly))
        {
            if (string.IsNullOrEmpty(assembly.Location) || IsFramework(assembly) || !seen.TryAdd(assembly.GetName().Name!, assembly))
                continue;
            foreach (var name in assembly.GetReferencedAssemblies())
            {
                if (seen.ContainsKey(name.Name!)) continue;
                try
                {
                    queue.Enqueue(Assembly.Load(name));
                }
                catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
                {
                    // An optional dependency the runner never loads (e.g. a Windows-only assembly): not needed to compile.
                }
            }
        }

        return seen.Values.ToList();
    }

    private static bool IsFramework(Assembly assembly) =>
        string.Equals(System.IO.Path.GetDirectoryName(assembly.Location), FrameworkDirectory, StringComparison.Ordinal);

    private static Dictionary<string, Assembly[]> CreateProvided()
    {
        var torch = typeof(TorchSharp.torch).Assembly;
        var plotly = typeof(Plotly.NET.GenericChart).Assembly;
        var plotlyCSharp = typeof(Plotly.NET.CSharp.Chart).Assembly;
        var fsharp = typeof(Microsoft.FSharp.Core.FSharpOption<>).Assembly;
        var dataAnalysis = typeof(Microsoft.Data.Analysis.DataFrame).Assembly;
        var skia = typeof(SkiaSharp.SKImage).Assembly;
        var formatting = typeof(Formatter).Assembly;
        var core = typeof(MultiTaskNet).Assembly;
        var data = typeof(MtlNotebooks.Data.Synthetic.SyntheticDataset).Assembly;
        var library = typeof(MtlNotebooks.Analysis.DeltaM).Assembly;
        var interactive = typeof(MtlFormatters).Assembly;
        return new Dictionary<string, Assembly[]>
        {
            ["mtlnotebooks"] = [library, data, core],
            ["mtlnotebooks.core"] = [core],
            ["mtlnotebooks.data"] = [data, core],
            ["mtlnotebooks.interactive"] = [interactive, library, formatting],
            ["torchsharp"] = [torch],
            ["torchsharp-cpu"] = [torch],
            ["torchsharp-cuda-linux"] = [torch],
            ["torchsharp-cuda-windows"] = [torch],
            ["plotly.net"] = [plotly, fsharp],
            ["plotly.net.csharp"] = [plotlyCSharp, plotly, fsharp],
            // Real kernels show GenericChart through Plotly.NET.Interactive; here MtlFormatters does.
            ["plotly.net.interactive"] = [plotly, fsharp],
            ["fsharp.core"] = [fsharp],
            ["microsoft.data.analysis"] = [dataAnalysis],
            ["skiasharp"] = [skia],
            ["microsoft.dotnet.interactive.formatting"] = [formatting],
        };
    }
}
