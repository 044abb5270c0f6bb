using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MtlNotebooks.Kernel;

/// <summary>Kernelspecs as <c>jupyter kernelspec install</c> writes them: a folder <c>kernels/&lt;name&gt;</c> holding
/// kernel.json (argv, display name, language, interrupt mode "message") and the logos, in the user's Jupyter data folder
/// (<c>~/.local/share/jupyter</c>, or <c>$JUPYTER_DATA_DIR</c>) or under <c>PREFIX/share/jupyter</c>.</summary>
public static partial class KernelSpecs
{
    /// <summary>The name the repository's notebooks ask for in their metadata: installed under it, the kernel opens them
    /// unchanged.</summary>
    public const string DefaultName = ".net-csharp";

    public const string DefaultDisplayName = ".NET (C#) · MtlNotebooks";

    /// <summary>A kernelspec found on disk.</summary>
    public sealed record Installed(string Name, string Directory, string DisplayName);

    /// <summary>The kernels folder: PREFIX/share/jupyter/kernels, else the user's.</summary>
    public static string KernelsDirectory(string? prefix) =>
        prefix is not null
            ? Path.Combine(Path.GetFullPath(prefix), "share", "jupyter", "kernels")
            : Path.Combine(Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR") is { Length: > 0 } data ? data : UserDataDirectory(), "kernels");

    /// <summary>Writes the kernelspec <paramref name="name"/> whose argv runs <c>mtl kernel run</c> from
    /// <paramref name="mtlDll"/> with <paramref name="dotnet"/>; replaces an earlier one of ours, but another program's
    /// kernelspec of that name (.NET Interactive also installs <c>.net-csharp</c>) only when <paramref name="force"/>.
    /// Returns its folder.</summary>
    /// <exception cref="IOException">Another program's kernelspec is there (the message names its command).</exception>
    public static string Install(string name, string displayName, string? prefix, string dotnet, string mtlDll, bool force = false)
    {
        CheckName(name);
        var directory = Path.Combine(KernelsDirectory(prefix), name);
        if (!force && ForeignOwner(directory) is { } owner)
            throw new IOException($"{directory} holds the kernelspec '{name}' of another program ({owner}); installing would replace it. " +
                                  "Pass --force to replace it, or --name to install under another name.");
        Directory.CreateDirectory(directory);
        var spec = new JsonObject
        {
            ["argv"] = new JsonArray(dotnet, mtlDll, "kernel", "run", "--connection-file", "{connection_file}"),
            ["display_name"] = displayName,
            ["language"] = "csharp",
            // Interrupts come as interrupt_request on the control channel (any OS, no process group needed); SIGINT,
            // what "signal" mode would send, interrupts the cell the same way (KernelHost), and SIGTERM ends the kernel.
            ["interrupt_mode"] = "message",
            ["env"] = new JsonObject(),
            ["metadata"] = new JsonObject { ["debugger"] = false, ["mtlnotebooks"] = new JsonObject { ["version"] = typeof(KernelSpecs).Assembly.GetName().Version?.ToString(3) } },
        };
        File.WriteAllText(Path.Combine(directory, "kernel.json"), spec.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
        foreach (var logo in new[] { "logo-64x64.png", "logo-32x32.png" })
        {
            using var source = typeof(KernelSpecs).Assembly.GetManifestResourceStream(logo)!;
            using var target = File.Create(Path.Combine(directory, logo));
            source.CopyTo(target);
        }

        return directory;
    }

    /// <summary>Where Jupyter looks for kernelspecs, first match wins: each folder of <c>$JUPYTER_PATH</c>, the user's data
    /// folder, then the system's (as <c>jupyter kernelspec list</c> searches).</summary>
    public static IReadOnlyList<string> SearchDirectories() =>
        [.. (Environment.GetEnvironmentVariable("JUPYTER_PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(p => Path.Combine(p, "kernels")),
            KernelsDirectory(null),
            .. OperatingSystem.IsWindows() ? Array.Empty<string>() : ["/usr/local/share/jupyter/kernels", "/usr/share/jupyter/kernels"]];

    /// <summary>The kernelspecs in the kernels folder of <paramref name="prefix"/>, or, without one, in every folder Jupyter
    /// searches (<see cref="SearchDirectories"/>; a name found twice is the first one's), by name.</summary>
    public static IReadOnlyList<Installed> List(string? prefix)
    {
        var found = (prefix is not null ? [KernelsDirectory(prefix)] : SearchDirectories()).SelectMany(Listed);
        return found.GroupBy(s => s.Name, StringComparer.Ordinal).Select(g => g.First()).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    private static IReadOnlyList<Installed> Listed(string kernels)
    {
        try
        {
            if (!Directory.Exists(kernels)) return [];
            return Directory.GetDirectories(kernels).Order(StringComparer.Ordinal)
                .Where(d => File.Exists(Path.Combine(d, "kernel.json")))
                .Select(d => new Installed(Path.GetFileName(d), d, DisplayName(Path.Combine(d, "kernel.json"))))
                .ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];   // a folder this user may not read holds no kernelspec for them
        }
    }

    /// <summary>The display name of a kernel.json, or why there is none: other programs' files are read too.</summary>
    private static string DisplayName(string file)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(file)) is JsonObject spec && spec["display_name"] is JsonValue name && name.GetValueKind() == JsonValueKind.String
                ? name.GetValue<string>()
                : "(kernel.json without a display name)";
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return "(unreadable kernel.json)";
        }
    }

    /// <summary>Deletes the kernelspec folder <paramref name="name"/>; false when there is none. Another program's
    /// kernelspec is deleted only when <paramref name="force"/>.</summary>
    /// <exception cref="IOException">Another program's kernelspec is there (the message names its command).</exception>
    public static bool Remove(string name, string? prefix, bool force = false)
    {
        CheckName(name);
        var directory = Path.Combine(KernelsDirectory(prefix), name);
        if (!File.Exists(Path.Combine(directory, "kernel.json"))) return false;
        if (!force && ForeignOwner(directory) is { } owner)
            throw new IOException($"{directory} holds the kernelspec '{name}' of another program ({owner}); pass --force to delete it.");
        Directory.Delete(directory, recursive: true);
        return true;
    }

    /// <summary>The dotnet host running this process (or the one beside the runtime in use).</summary>
    public static string DotnetHost()
    {
        if (Environment.ProcessPath is { } process && Path.GetFileNameWithoutExtension(process) == "dotnet") return process;
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        return Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
    }

    /// <summary>Who a kernelspec in <paramref name="directory"/> belongs to when it is not ours (ours carries
    /// metadata.mtlnotebooks): its command line, or null when it is ours or there is none.</summary>
    private static string? ForeignOwner(string directory)
    {
        var file = Path.Combine(directory, "kernel.json");
        if (!File.Exists(file)) return null;
        try
        {
            if (JsonNode.Parse(File.ReadAllText(file)) is not JsonObject spec) return "its kernel.json is not a JSON object";
            if (spec["metadata"] is JsonObject metadata && metadata["mtlnotebooks"] is not null) return null;
            var argv = (spec["argv"] as JsonArray)?.Select(a => a is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "?")
                .Take(4).ToArray() ?? [];
            return argv.Length > 0 ? $"it runs '{string.Join(' ', argv.Select(Path.GetFileName))} …'" : "its kernel.json has no argv";
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return "its kernel.json is not readable";
        }
    }

    private static string UserDataDirectory()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsWindows()) return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "jupyter");
        if (OperatingSystem.IsMacOS()) return Path.Combine(home, "Library", "Jupyter");
        return Path.Combine(Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(home, ".local", "share"), "jupyter");
    }

    /// <summary>Jupyter's rule for kernel names: letters, digits, '.', '_' and '-'.</summary>
    private static void CheckName(string name)
    {
        if (!NamePattern().IsMatch(name))
            throw new ArgumentException($"'{name}' is not a kernel name: use letters, digits, '.', '_' and '-' (e.g. {DefaultName}).", nameof(name));
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex NamePattern();
}
