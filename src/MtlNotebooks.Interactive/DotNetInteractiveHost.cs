using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using MtlNotebooks.Build;

namespace MtlNotebooks.Interactive;

/// <summary>What the .NET Interactive kernel (Polyglot Notebooks) needs before a notebook's first tensor or chart; the
/// package's extension.dib calls <see cref="Prepare"/> before it registers the formatters. That kernel takes packages
/// from the NuGet cache as they are, into the process it shares with its own F# kernel, so two things the project's
/// kernel and runner never meet happen there:
/// <list type="bullet">
/// <item>TorchSharp's native library in the cache needs GLIBCXX_3.4.32, which Debian 12's libstdc++ lacks; the build
/// patches only the copies it places in bin/ (build/ElfVersionNeedPatcher.cs says why the patch is safe). Here a patched
/// copy is made once in the user's local data folder and loaded before TorchSharp looks for its library, which then
/// finds it loaded.</item>
/// <item>Plotly.NET 6 references FSharp.Core 10.1 while the kernel has loaded its own 10.0, which the runtime does
/// not give an assembly that asks for a newer one; .NET has no binding redirects, so a resolver gives it.</item>
/// </list>
/// Elsewhere (a system whose libstdc++ has the version, an FSharp.Core that is new enough) it does nothing.</summary>
public static class DotNetInteractiveHost
{
    private const string GlibcxxVersion = "GLIBCXX_3.4.32";
    private static readonly Lock Gate = new();
    private static string? _prepared;

    /// <summary>Prepares the process once; returns what was done, in words (later calls return the same).</summary>
    public static string Prepare()
    {
        lock (Gate)
        {
            if (_prepared is not null) return _prepared;
            var packages = PackagesRoot();
            _prepared = string.Join(" ", PrepareTorchSharp(packages), PrepareFSharpCore());
            return _prepared;
        }
    }

    /// <summary>The NuGet packages folder this package was restored into: four levels above this assembly
    /// (<c>mtlnotebooks.interactive/0.1.0/lib/net10.0/</c>), else NUGET_PACKAGES or the user's default.</summary>
    internal static string PackagesRoot()
    {
        var here = Path.GetDirectoryName(typeof(DotNetInteractiveHost).Assembly.Location);
        var fromHere = here is null ? null : Path.GetFullPath(Path.Combine(here, "..", "..", "..", ".."));
        if (fromHere is not null && Directory.Exists(Path.Combine(fromHere, "torchsharp"))) return fromHere;
        return Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    }

    private static string PrepareTorchSharp(string packages)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return "TorchSharp: nothing to prepare on this platform.";
        var system = ElfVersionNeedPatcher.FindSystemLibStdCxx();
        if (system is null) return "TorchSharp: no system libstdc++ found in the usual places; left to TorchSharp.";
        if (ElfVersionNeedPatcher.LibraryDefinesVersion(system, GlibcxxVersion)) return $"TorchSharp: the system's libstdc++ has {GlibcxxVersion}.";
        var torchSharp = LoadedFrom("TorchSharp");
        var cached = Path.Combine(torchSharp, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        var libtorch = LibTorch(packages, Path.GetFileName(torchSharp));
        if (!File.Exists(cached) || libtorch is null)
            return $"TorchSharp: its native library or the CPU libtorch it pairs with (torchsharp-cpu's nuspec) is not in '{packages}'; left to TorchSharp.";
        var (patched, result) = PatchedCopy(cached, Path.GetFileName(torchSharp));
        NativeLibrary.Load(libtorch);   // with $ORIGIN, it brings libtorch_cpu and libc10 from its own folder
        var handle = NativeLibrary.Load(patched);
        // TorchSharp asks for "LibTorchSharp"; the loader finds the copy by its soname, and should a lookup miss it, this answers.
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += (_, name) => name.Contains("LibTorchSharp", StringComparison.Ordinal) ? handle : 0;
        return $"TorchSharp: loaded {patched} ({GlibcxxVersion}: {result}; the package cache is untouched).";
    }

    /// <summary>libtorch.so of the CPU libtorch that TorchSharp <paramref name="version"/> is built against, as
    /// torchsharp-cpu's nuspec names it; null when that package (a CUDA build has none) or the library is missing.</summary>
    private static string? LibTorch(string packages, string version)
    {
        var nuspec = Path.Combine(packages, "torchsharp-cpu", version, "torchsharp-cpu.nuspec");
        if (!File.Exists(nuspec)) return null;
        var match = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(nuspec), "id=\"libtorch-cpu\"\\s+version=\"\\[?([^\",\\]]+)");
        var path = Path.Combine(packages, "libtorch-cpu-linux-x64", match.Groups[1].Value, "runtimes", "linux-x64", "native", "libtorch.so");
        return match.Success && File.Exists(path) ? path : null;
    }

    /// <summary>A copy of <paramref name="cached"/> with the version need marked weak, made once per TorchSharp version
    /// (written under a temporary name and renamed, so a second kernel never loads a half-written file).</summary>
    private static (string Path, string Result) PatchedCopy(string cached, string version)
    {
        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create);
        if (string.IsNullOrEmpty(data)) data = Path.GetTempPath();   // no HOME: never a folder relative to the notebook
        var folder = Path.Combine(data, "MtlNotebooks", "native", $"torchsharp-{version}");
        var target = Path.Combine(folder, "libLibTorchSharp.so");
        if (File.Exists(target))
            switch (ElfVersionNeedPatcher.ReadFlags(target, GlibcxxVersion))
            {
                case null: return (target, "not referenced");
                case { } flags when (flags & 0x2) != 0: return (target, "marked weak");
            }
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".libLibTorchSharp.so.{Environment.ProcessId}.tmp");
        File.Copy(cached, temporary, overwrite: true);
        var result = ElfVersionNeedPatcher.MarkWeak(temporary, GlibcxxVersion);
        File.Move(temporary, target, overwrite: true);
        return (target, result == VersionNeedPatchResult.NotReferenced ? "not referenced" : "marked weak");
    }

    /// <summary>Plotly.NET's references to a newer FSharp.Core are answered with the kernel's, as a binding redirect
    /// would: one FSharp.Core in the process, so Plotly.NET's F# types and those of the libraries the kernel already
    /// loaded for it (Giraffe.ViewEngine, which renders the chart's HTML) are the same types.</summary>
    private static string PrepareFSharpCore()
    {
        var loaded = AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => a.GetName().Name == "FSharp.Core");
        // Plotly.NET by name: a type of it would need the FSharp.Core this is about.
        var wanted = Assembly.Load("Plotly.NET").GetReferencedAssemblies().FirstOrDefault(a => a.Name == "FSharp.Core")?.Version;
        if (loaded?.GetName().Version is not { } version || wanted is null || version >= wanted) return "FSharp.Core: the loaded one serves Plotly.NET.";
        AssemblyLoadContext.Default.Resolving += (_, name) => name.Name == "FSharp.Core" ? loaded : null;
        return $"FSharp.Core: the kernel's {version} answers Plotly.NET's references to {wanted}.";
    }

    /// <summary>The package folder (<c>id/version</c>) an assembly of this process was loaded from (<c>lib/tfm/</c> below it).</summary>
    private static string LoadedFrom(string assembly) =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Assembly.Load(assembly).Location)!, "..", ".."));
}
