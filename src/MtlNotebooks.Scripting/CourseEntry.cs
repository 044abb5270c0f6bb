namespace MtlNotebooks.Scripting;

/// <summary>One notebook of the course site: its file, title and goal, and once run, how long it took and whether every
/// cell ran.</summary>
public sealed record CourseEntry(string Notebook, string Title, string Goal)
{
    /// <summary>The page's file name beside the index.</summary>
    public string Page => Path.ChangeExtension(Notebook, ".html");

    public TimeSpan? Elapsed { get; init; }

    public bool? Succeeded { get; init; }
}
