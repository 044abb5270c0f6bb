namespace MtlNotebooks.Analysis;

/// <summary>A <see cref="PaperClaim"/> checked over seeds: each side's Δm (%) as mean and sample std, the mean of the
/// per-seed differences (arm − against), the paired t-test's two-sided p-value and the verdict at <see cref="Alpha"/>.</summary>
public sealed record ClaimResult(
    PaperClaim Claim,
    IReadOnlyList<int> Seeds,
    (double Mean, double Std) ArmDeltaM,
    (double Mean, double Std) AgainstDeltaM,
    double MeanDifference,
    double PValue,
    double Alpha,
    ClaimVerdict Verdict)
{
    /// <summary>"reproduced", "not reproduced" or "within noise".</summary>
    public string VerdictText => Verdict switch
    {
        ClaimVerdict.Reproduced => "reproduced",
        ClaimVerdict.NotReproduced => "not reproduced",
        _ => "within noise",
    };
}
