namespace MtlNotebooks.Analysis;

/// <summary>One effect a paper reports, as a comparison of two configurations' Δm over seeds: <paramref name="Statement"/>
/// is the paper's sentence, <paramref name="Source"/> the table or section it comes from, <paramref name="Arm"/> and
/// <paramref name="Against"/> name configurations of a <see cref="SeededRuns"/> (the first configuration, the single-task
/// baselines, stands for Δm = 0, so "Δm &lt; 0" is a claim against it), and <paramref name="Expected"/> says which way the
/// arm differs from what it is compared against.</summary>
public sealed record PaperClaim(string Statement, string Source, string Arm, string Against, ClaimSign Expected)
{
    /// <summary>The claim in one short line: "MTI-Net > hard sharing".</summary>
    public string Comparison => $"{Arm} {Expected switch { ClaimSign.Above => ">", ClaimSign.Below => "<", _ => "≥" }} {Against}";

    /// <summary>The same claim on configurations named otherwise: each of <see cref="Arm"/> and <see cref="Against"/> that
    /// <paramref name="names"/> maps is replaced, the others stay.</summary>
    public PaperClaim Renamed(IReadOnlyDictionary<string, string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return this with { Arm = names.GetValueOrDefault(Arm, Arm), Against = names.GetValueOrDefault(Against, Against) };
    }
}
