namespace MtlNotebooks.Data;

/// <summary>
/// Joins the paths a manifest and its split lists name (folders, patterns, list files, sample ids) to a data set's root
/// and refuses any that would leave it. A data set comes from elsewhere: without this check an id such as
/// <c>../../x</c> or <c>/etc/passwd</c>, or a folder such as <c>/etc</c>, would read the user's other files into
/// training and into reports.
/// </summary>
/// <remarks>The check is lexical, on <see cref="Path.GetFullPath(string)"/>, and does not resolve symlinks: a symlink
/// inside the root that points elsewhere was put there by the user and keeps working. The path returned has its
/// <c>..</c> already removed, so the file opened is the one checked (the system would resolve <c>link/..</c> through
/// the link's target instead).</remarks>
internal sealed class DataRootPath
{
    // The root's full path ending in a separator, so that "/data/nyud-other" is not taken to be under "/data/nyud".
    // Ordinal comparison: on a case-insensitive file system it can only refuse more, never let more through.
    private readonly string _prefix;

    public DataRootPath(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = root;
        var full = Path.GetFullPath(root);
        _prefix = Path.EndsInDirectorySeparator(full) ? full : full + Path.DirectorySeparatorChar;
    }

    /// <summary>The root as given (messages and returned paths keep its spelling).</summary>
    public string Root { get; }

    /// <summary>The path of <paramref name="parts"/> under the root. An absolute part, or <c>..</c> that climbs above the
    /// root, is a <see cref="DataSetException"/> "<paramref name="at"/>: <paramref name="what"/> …", raised before
    /// anything is opened; <paramref name="what"/> names the manifest field or the split list's line and the value.</summary>
    public string Join(string at, string what, params string[] parts)
    {
        // Path.Combine would let an absolute part replace the root; Path.Join would quietly append it.
        if (parts.FirstOrDefault(Path.IsPathRooted) is { } rooted)
            throw new DataSetException(at, $"{what} is an absolute path ({rooted}); paths in a data set are relative to its root {Root}.");
        string full;
        try
        {
            full = Path.GetFullPath(Path.Join(_prefix, Path.Join(parts)));
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new DataSetException(at, $"{what} is not a valid path ({ex.Message}).", ex);
        }
        if (!Path.EndsInDirectorySeparator(full)) full += Path.DirectorySeparatorChar;
        if (!full.StartsWith(_prefix, StringComparison.Ordinal))
            throw new DataSetException(at, $"{what} leads to {Path.TrimEndingDirectorySeparator(full)}, outside the data root {Root}; " +
                                           "paths in a data set must stay under its root.");
        var relative = Path.TrimEndingDirectorySeparator(full[_prefix.Length..]);
        return relative.Length == 0 ? Root : Path.Join(Root, relative);
    }
}
