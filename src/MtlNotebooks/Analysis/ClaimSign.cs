namespace MtlNotebooks.Analysis;

/// <summary>The direction a <see cref="PaperClaim"/> expects of the arm's Δm against what it is compared with.</summary>
public enum ClaimSign
{
    /// <summary>Higher: reproduced when the paired difference is positive at p &lt; α.</summary>
    Above,

    /// <summary>Lower: reproduced when the paired difference is negative at p &lt; α.</summary>
    Below,

    /// <summary>"On par or better" (the survey's "performs on par"): not reproduced only when the arm is lower at p &lt; α;
    /// a weaker claim than <see cref="Above"/>, as the paper's sentence is.</summary>
    NotBelow,
}
