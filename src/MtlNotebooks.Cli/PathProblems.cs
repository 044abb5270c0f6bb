namespace MtlNotebooks.Cli;

/// <summary>What keeps a path given on the command line from being written, found before any work and worded with the
/// option's name: an empty path, a folder where a file is meant (or the reverse), or a file standing where a parent
/// folder would have to be created (<c>afile/sub</c>).</summary>
internal static class PathProblems
{
    /// <summary>A file <paramref name="path"/> that <paramref name="option"/> will write; null when it can be written.</summary>
    public static string? OfFile(string option, string? path)
    {
        if (path is null) return null;
        if (string.IsNullOrWhiteSpace(path)) return $"{option}: the path is empty; name a file.";
        if (Path.EndsInDirectorySeparator(path) || Directory.Exists(path)) return $"{option} {path} is a folder; name a file.";
        return UnderAFile(option, path);
    }

    /// <summary>A folder <paramref name="path"/> that <paramref name="option"/> will create or write into; null when it can.</summary>
    public static string? OfFolder(string option, string? path)
    {
        if (path is null) return null;
        if (string.IsNullOrWhiteSpace(path)) return $"{option}: the path is empty; name a folder.";
        if (File.Exists(Path.TrimEndingDirectorySeparator(path))) return $"{option} {path} is a file; name a folder.";
        return UnderAFile(option, path);
    }

    /// <summary>The nearest existing ancestor must be a folder: a file there means no folder can be created below it.</summary>
    private static string? UnderAFile(string option, string path)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"{option} {path} is not a valid path ({ex.Message}).";
        }
        for (var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(full)); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (Directory.Exists(parent)) return null;
            if (File.Exists(parent)) return $"{option} {path}: {parent} is a file, so no folder can be made there.";
        }
        return null;
    }
}
