namespace MtlNotebooks.Analysis;

/// <summary>The papers' claims that the paper notebooks check, each with the paper's own sentence. Arms are named as the
/// notebooks name their configurations (MTI-Net Table 2a in notebook 05, ASTMT Table 3 in notebook 09, survey Table V in
/// notebook 11); <see cref="PaperClaim.Renamed"/> maps them onto configurations of your own. Signs follow Δm "higher is better" (ASTMT's tables
/// print the drop, so its 6.62 is our −6.62).</summary>
public static class PaperClaims
{
    /// <summary>ASTMT on PASCAL's five tasks (Table 3, R-26): negative transfer, and what closes it.</summary>
    public static IReadOnlyList<PaperClaim> AstmtTable3 { get; } =
    [
        new("As also reported by [28], a non-negligible average performance drop can be observed (-6.6% per task for R-26 with SE).",
            "ASTMT §5, Table 3 (MT baseline 6.62 drop)", "MT baseline", "single task", ClaimSign.Below),
        new("Results in Table 3d show that adversarial training is beneficial for multi-tasking, increasing performance compared to standard multi-tasking (-4.4 vs -6.6).",
            "ASTMT §5, Table 3d (Adv 4.34 vs 6.62 drop)", "Adv", "MT baseline", ClaimSign.Above),
        new("further adding residual adapters surpasses single-tasking (+0.45%), at the cost of 12.3% more parameters per task (Fig. 5).",
            "ASTMT §5, Fig. 5 (SE + RA + Adv +0.45 vs −6.62)", "SE + RA + Adv", "MT baseline", ClaimSign.Above),
    ];

    /// <summary>The survey's encoder-focused comparison on NYUD-v2's semseg and depth (Table V(a), ResNet-50).</summary>
    public static IReadOnlyList<PaperClaim> SurveyTableVNyud { get; } =
    [
        new("The MTL baseline performs on par with the set of single-task networks, while it reduces the number of parameters and FLOPS.",
            "survey §4.3.1, Table V(a) (MTL baseline +0.41)", "MTL baseline", "single task", ClaimSign.NotBelow),
        new("Other encoder-focused architectures further improve over the MTL baseline in terms of multi-task performance, but require more parameters and FLOPS.",
            "survey §4.3.1, Table V(a) (cross-stitch +1.61 vs +0.41)", "cross-stitch", "MTL baseline", ClaimSign.Above),
        new("Other encoder-focused architectures further improve over the MTL baseline in terms of multi-task performance, but require more parameters and FLOPS.",
            "survey §4.3.1, Table V(a) (NDDR-CNN +1.38 vs +0.41)", "NDDR-CNN", "MTL baseline", ClaimSign.Above),
    ];

    /// <summary>The survey's encoder-focused comparison on PASCAL-Context's five tasks (Table V(b), ResNet-18).</summary>
    public static IReadOnlyList<PaperClaim> SurveyTableVPascal { get; } =
    [
        new("In contrast to the results on NYUD-v2, both the MTL baseline and MTAN model report lower performance when compared against the set of single-task models",
            "survey §4.3.1, Table V(b) (MTL baseline −2.86)", "MTL baseline", "single task", ClaimSign.Below),
    ];

    /// <summary>MTI-Net's ablation on NYUD-v2's semseg and depth (Table 2a, HRNet-18, no auxiliary tasks) and the survey's
    /// PAD-Net / MTI-Net comparison. Arms as notebook 05 names its rows.</summary>
    public static IReadOnlyList<PaperClaim> MtiNetTable2 { get; } =
    [
        new("The MTL baseline (i.e. a shared encoder with task-specific heads) has lower performance (-1.71%) than the single-task models. [...] When including the FPM another significant boost in performance is achieved (+6.40%).",
            "MTI-Net §4.3, Table 2a (Ours w/ FPM +6.40 vs MTL −1.71)", "Ours (w/ FPM)", "MTL", ClaimSign.Above),
        new("Again, PAD-Net outperforms the single-task networks (+2.38%), but MTI-Net further improves the performance (+8.95%).",
            "survey §4.3.2, Table V(a) (HRNet-18: MTI-Net +8.95 vs PAD-Net +2.38); MTI-Net Table 2a (+6.40 vs −0.02)", "Ours (w/ FPM)", "PAD-Net", ClaimSign.Above),
        new("When including the FPM another significant boost in performance is achieved (+6.40%).",
            "MTI-Net §4.3, Table 2a (w/ FPM +6.40 vs w/o FPM +3.85)", "Ours (w/ FPM)", "Ours (w/o FPM)", ClaimSign.Above),
    ];

    /// <summary>The transformer decoders on NYUD-v2 (ViT-L/16, 448×576) as the official repository of InvPT and TaskPrompter
    /// reports them (prismformore/Multi-Task-Transformer, README: the results its released code reproduces). Arms as notebook 15
    /// names its rows.</summary>
    public static IReadOnlyList<PaperClaim> TransformerDecodersNyud { get; } =
    [
        new("NYUD-v2, ViT-L: TaskPrompter semseg 55.90 mIoU, depth RMSE 0.5062, normals 18.58, boundary 77.70; InvPT 53.65, 0.5083, 18.68, 77.80.",
            "InvPT / TaskPrompter official repository, README results (TaskPrompter ahead on three of four tasks)", "TaskPrompter", "InvPT", ClaimSign.Above),
    ];
}
