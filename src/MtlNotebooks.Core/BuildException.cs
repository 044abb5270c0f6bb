namespace MtlNotebooks;

/// <summary>Thrown by <see cref="MultiTaskNetBuilder.Build"/> when the configuration has problems; the message lists
/// every problem, each naming the builder call and the thing at fault.</summary>
public sealed class BuildException : Exception
{
    public BuildException(IReadOnlyList<string> problems)
        : base(Format(problems)) => Problems = problems;

    public IReadOnlyList<string> Problems { get; }

    internal static string Format(IReadOnlyList<string> problems) =>
        $"MultiTaskNet cannot be built ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):" + Environment.NewLine +
        string.Join(Environment.NewLine, problems.Select(p => "  - " + p.Replace("\n", "\n    ")));
}
