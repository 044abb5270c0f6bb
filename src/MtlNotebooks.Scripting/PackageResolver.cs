using System.IO.Compression;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.DotNet.Interactive.Formatting;
using MtlNotebooks.Interactive;

namespace MtlNotebooks.Scripting;

/// <summary>Resolves <c>#r "nuget: Id, Version"</c> without a NuGet restore. The project's own packages and the packages
/// the runner already loads (TorchSharp, Plotly.NET, Microsoft.Data.Analysis, SkiaSharp, …) resolve to the runner's own
/// assemblies: a notebook never loads a second TorchSharp or a native library other than the build-patched copy next to
/// the runner. Any other package comes from a <c>#i</c> folder (a flat folder of .nupkg files or a
/// global-packages-style tree) or the restored package cache (~/.nuget/packages, or NUGET_PACKAGES), taking the
/// lib/ folder of the best target framework, with its dependencies found the same way.</summary>
public sealed partial class PackageResolver
{
    private static readonly string FrameworkDirectory = System.IO.Path.GetDirectoryName(typeof(object).Assembly.Location)!;

    private readonly List<string> _sources = [];
    private readonly HashSet<string> _resolved = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Package ids (lower case) the runner provides, with the assemblies that stand for them.</summary>
    public static IReadOnlyDictionary<string, Assembly[]> ProvidedPackages { get; } = CreateProvided();

    /// <summary>Ids whose version must match the runner's: the project's own packages.</summary>
    public static IReadOnlyList<string> OwnPackages { get; } = ["MtlNotebooks", "MtlNotebooks.Interactive"];

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
        if (ProvidedPackages.TryGetValue(id.ToLowerInvariant(), out var assemblies))
        {
            var own = OwnPackages.FirstOrDefault(o => o.Equals(id, StringComparison.OrdinalIgnoreCase));
            if (own is not null && IsExact(version))
            {
                var provided = ProvidedVersion(assemblies[0]);
                if (!SameVersion(provided, version!))
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
            var package = FindInSource(root, id, version, looked);
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

    private static IEnumerable<string> ProvidedIds => ProvidedPackages.Keys.Order(StringComparer.Ordinal);

    private sealed record FoundPackage(IReadOnlyList<string> Assemblies, IReadOnlyList<(string Id, string? Version)> Dependencies);

    private static FoundPackage? FindInSource(string root, string id, string? version, List<string> looked)
    {
        // global-packages layout: <root>/<id lower>/<version>/lib/<tfm>/*.dll
        var tree = System.IO.Path.Combine(root, id.ToLowerInvariant());
        if (Directory.Exists(tree))
        {
            var versions = Directory.GetDirectories(tree).Select(System.IO.Path.GetFileName).OfType<string>().ToList();
            var chosen = Choose(versions, version);
            if (chosen is not null)
            {
                var folder = System.IO.Path.Combine(tree, chosen);
                var nuspec = Directory.GetFiles(folder, "*.nuspec").FirstOrDefault();
                return FromFolder(folder, nuspec is null ? null : XDocument.Load(nuspec), id, chosen);
            }

            looked.Add($"{tree} (versions {string.Join(", ", versions)}; none is {version})");
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
            var chosen = Choose(candidates, version);
            if (chosen is not null)
                return FromNupkg(System.IO.Path.Combine(root, $"{id}.{chosen}.nupkg"), id, chosen);
            looked.Add($"{root} (no {id}.{version ?? "*"}.nupkg)");
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
                $"Package {id} {version} in {folder} has no assemblies for .NET (lib/ has {string.Join(", ", frameworks)}).");

        var dependencies = new List<(string, string?)>();
        if (nuspec is not null)
        {
            var groups = nuspec.Descendants().Where(e => e.Name.LocalName == "group" && e.Parent?.Name.LocalName == "dependencies").ToList();
            var frameworkOf = groups.ToDictionary(g => ShortFramework(g.Attribute("targetFramework")?.Value ?? ""), g => g);
            var group = BestFramework(frameworkOf.Keys.Where(k => k.Length > 0).ToList()) is { } g ? frameworkOf[g]
                : frameworkOf.GetValueOrDefault("");
            var entries = group?.Elements() ?? nuspec.Descendants().Where(e => e.Name.LocalName == "dependency" && e.Parent?.Name.LocalName == "dependencies");
            foreach (var dependency in entries.Where(e => e.Name.LocalName == "dependency"))
            {
                var depId = dependency.Attribute("id")?.Value;
                if (depId is not null) dependencies.Add((depId, dependency.Attribute("version")?.Value));
            }
        }

        return new FoundPackage(assemblies, dependencies);
    }

    /// <summary>The best folder for .NET 10: the newest netX.Y, then netcoreappX.Y, then the newest netstandard.</summary>
    internal static string? BestFramework(IReadOnlyList<string> frameworks) =>
        frameworks.Select(f => (Framework: f, Rank: FrameworkRank(f))).Where(x => x.Rank > 0).OrderByDescending(x => x.Rank).Select(x => x.Framework).FirstOrDefault();

    private static double FrameworkRank(string framework)
    {
        var m = FrameworkName().Match(framework.ToLowerInvariant());
        if (!m.Success) return 0;
        var version = double.Parse(m.Groups["v"].Value, System.Globalization.CultureInfo.InvariantCulture);
        return m.Groups["kind"].Value switch
        {
            "net" when version >= 5 && version <= 10 => 300 + version,
            "netcoreapp" => 200 + version,
            "netstandard" => 100 + version,
            _ => 0,
        };
    }

    private static string ShortFramework(string targetFramework)
    {
        var t = targetFramework.ToLowerInvariant();
        if (t.StartsWith(".netstandard", StringComparison.Ordinal)) return "netstandard" + t[".netstandard".Length..];
        if (t.StartsWith(".netcoreapp", StringComparison.Ordinal)) return "netcoreapp" + t[".netcoreapp".Length..];
        if (t.StartsWith("net", StringComparison.Ordinal)) return t;
        return t;
    }

    [GeneratedRegex(@"^(?<kind>netstandard|netcoreapp|net)(?<v>\d+\.\d+)$")]
    private static partial Regex FrameworkName();

    /// <summary>The version to take: the exact one asked for, else (no version, a wildcard or a range) the highest.</summary>
    internal static string? Choose(IReadOnlyList<string> available, string? requested)
    {
        if (IsExact(requested))
            return available.FirstOrDefault(v => SameVersion(v, requested!));
        var floor = requested?.Trim('[', '(', ' ').Split(',')[0].Replace("*", "").TrimEnd('.', '-');
        return available
            .Where(v => string.IsNullOrEmpty(floor) || CompareVersions(v, floor) >= 0 || v.StartsWith(floor, StringComparison.OrdinalIgnoreCase))
            .OrderBy(v => v, Comparer<string>.Create(CompareVersions))
            .LastOrDefault();
    }

    private static bool IsExact(string? version) =>
        !string.IsNullOrWhiteSpace(version) && version.IndexOfAny(['*', '[', '(', ',', ')', ']']) < 0;

    private static bool SameVersion(string a, string b) => CompareVersions(a, b) == 0;

    /// <summary>NuGet-style order: numeric parts (missing = 0), then a release above its pre-releases.</summary>
    internal static int CompareVersions(string a, string b)
    {
        static (Version Number, string Label) Split(string v)
        {
            var core = v.Split('+')[0];
            var dash = core.IndexOf('-');
            var number = dash < 0 ? core : core[..dash];
            var parts = number.Split('.').Select(p => int.TryParse(p, out var n) ? n : 0).Concat([0, 0, 0, 0]).Take(4).ToArray();
            return (new Version(parts[0], parts[1], parts[2], parts[3]), dash < 0 ? "" : core[(dash + 1)..]);
        }

        var (na, la) = Split(a);
        var (nb, lb) = Split(b);
        var c = na.CompareTo(nb);
        if (c != 0) return c;
        return (la.Length, lb.Length) switch
        {
            (0, 0) => 0,
            (0, _) => 1,  // 1.0.0 > 1.0.0-beta
            (_, 0) => -1,
            _ => string.Compare(la, lb, StringComparison.OrdinalIgnoreCase),
        };
    }

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
        var library = typeof(MultiTaskNet).Assembly;
        var interactive = typeof(MtlFormatters).Assembly;
        return new Dictionary<string, Assembly[]>
        {
            ["mtlnotebooks"] = [library],
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

/// <summary>A <c>#r "nuget:"</c> that cannot be satisfied; the message names the package, the version and where the
/// runner looked.</summary>
public sealed class PackageResolutionException(string message) : Exception(message);
