namespace MtlNotebooks.Analysis;

/// <summary>What the seeds say about a <see cref="PaperClaim"/>: the paired difference has the paper's sign at
/// p &lt; α (<see cref="Reproduced"/>), the opposite sign at p &lt; α (<see cref="NotReproduced"/>), or p ≥ α, or too few
/// seeds to test (any claim, "on par" included) (<see cref="WithinNoise"/>).</summary>
public enum ClaimVerdict
{
    Reproduced,
    NotReproduced,
    WithinNoise,
}
