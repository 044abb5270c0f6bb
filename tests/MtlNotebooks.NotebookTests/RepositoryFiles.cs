namespace MtlNotebooks.NotebookTests;

/// <summary>The repository's notebooks and scripts, found by globbing, so a new file is tested without touching the tests.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static IEnumerable<string> Notebooks =>
        Directory.GetFiles(Path.Combine(Root, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal);

    public static IEnumerable<string> Scripts =>
        Directory.Exists(Path.Combine(Root, "scripts"))
            ? Directory.GetFiles(Path.Combine(Root, "scripts"), "*.csx").Where(p => !Path.GetFileName(p).StartsWith('_')).Order(StringComparer.Ordinal)
            : [];

    /// <summary>xunit data: repository-relative paths (readable test names).</summary>
    public static TheoryData<string> NotebookPaths => [.. Notebooks.Select(Relative)];

    public static TheoryData<string> ScriptPaths => [.. Scripts.Select(Relative)];

    public static string Full(string relative) => Path.Combine(Root, relative);

    private static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MtlNotebooks.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No MtlNotebooks.sln above {AppContext.BaseDirectory}.");
    }
}
