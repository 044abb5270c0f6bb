namespace MtlNotebooks.Scripting;

/// <summary>Checks the files a run will write before the run starts, so a bad path costs no work: each must be a file
/// path (not a directory) whose folder can be created and written, none may be the input (also when spelled another way
/// or reached through a symbolic link), and no two may be the same file.</summary>
public static class OutputPaths
{
    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>Throws <see cref="OutputPathException"/>, naming the option and the path, for the first target that
    /// cannot be written; creates the targets' folders.</summary>
    public static void Check(string? input, IEnumerable<OutputTarget> targets)
    {
        var inputKey = input is null ? null : Canonical(input);
        var checkedTargets = new List<(OutputTarget Target, string Key)>();
        foreach (var target in targets)
        {
            var full = FullPath(target);
            if (Directory.Exists(full))
                throw new OutputPathException(
                    $"{target} is a directory; give a file path, e.g. {Path.Combine(target.Path, "executed" + Path.GetExtension(input ?? ".ipynb"))}.");
            var key = Canonical(full);
            if (inputKey is not null && string.Equals(key, inputKey, PathComparison))
                throw new OutputPathException(
                    $"{target} is the input notebook {input}; the runner never writes over its input: give another path with {target.Option}.");
            var clash = checkedTargets.FirstOrDefault(c => string.Equals(c.Key, key, PathComparison)).Target;
            if (clash is not null)
                throw new OutputPathException($"{target} and {clash} are the same file; give them different paths.");
            EnsureWritableFolder(target, full);
            checkedTargets.Add((target, key));
        }
    }

    /// <summary>The absolute path with every symbolic link along it resolved: two spellings of one file compare equal.</summary>
    public static string Canonical(string path) => Canonical(Path.GetFullPath(path), depth: 0);

    private static string Canonical(string full, int depth)
    {
        var root = Path.GetPathRoot(full) ?? "";
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            // A link's target may hold links itself; 40 is the kernel's own limit on nested links.
            if (info.LinkTarget is not null && depth < 40 && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
                current = Canonical(target.FullName, depth + 1);
        }

        return current;
    }

    private static string FullPath(OutputTarget target)
    {
        try
        {
            return Path.GetFullPath(target.Path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new OutputPathException($"{target} is not a valid file path ({ex.Message}).");
        }
    }

    private static void EnsureWritableFolder(OutputTarget target, string full)
    {
        var folder = Path.GetDirectoryName(full) ?? throw new OutputPathException($"{target} has no parent folder.");
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OutputPathException($"{target}: its folder {folder} cannot be created ({ex.Message}).");
        }

        // Creating a file is the one reliable test of write access (permissions, ACLs, read-only mounts).
        var probe = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.probe");
        try
        {
            using var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OutputPathException($"{target}: its folder {folder} is not writable ({ex.Message}).");
        }
    }
}
