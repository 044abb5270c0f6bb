namespace MtlNotebooks.Data;

/// <summary>What <see cref="DataVerifier.Verify"/> found: every problem (one line each, naming the file or the manifest
/// field) and what was checked. Verification never throws: whatever goes wrong is a line here.</summary>
public sealed record VerificationReport(string Root, DataManifest Manifest, IReadOnlyList<string> Problems, IReadOnlyList<string> Checked)
{
    public bool IsValid => Problems.Count == 0;

    /// <summary>The report as text: a summary line, what was checked, then the first <paramref name="maxProblems"/> problems.</summary>
    public string ToText(int maxProblems = 50)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine(IsValid
            ? $"{Manifest.Name} at {Root}: OK."
            : $"{Manifest.Name} at {Root}: {Problems.Count} problem(s).");
        foreach (var line in Checked) text.AppendLine("  " + line);
        foreach (var p in Problems.Take(maxProblems)) text.AppendLine("  - " + p);
        if (Problems.Count > maxProblems) text.AppendLine($"  … and {Problems.Count - maxProblems} more.");
        return text.ToString().TrimEnd();
    }
}
