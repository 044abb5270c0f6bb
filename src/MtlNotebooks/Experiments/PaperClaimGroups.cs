using MtlNotebooks.Analysis;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Modules.EncoderFocused;

namespace MtlNotebooks.Experiments;

/// <summary>The papers' claims (<see cref="PaperClaims"/>) as groups a <see cref="ClaimsExperiment"/> trains: each group
/// the task set, backbone and networks of the table its claims come from, scaled to synthetic scenes.</summary>
public static class PaperClaimGroups
{
    /// <summary>NYUD-v2's two main tasks, semseg and depth, with uniform weights (survey Table V(a), MTI-Net Table 2a).</summary>
    public static DataSetPreset SemsegAndDepth { get; } = DataSetPresets.SyntheticNyud with
    {
        Name = "synthetic-nyud-semseg-depth",
        Description = "Synthetic scenes with NYUD-v2's main tasks: semseg and depth",
        Tasks = [DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount), DenseTasks.Depth()],
        Weights = [],
    };

    /// <summary>Cross-stitch's and NDDR's α and β as the survey's code starts them on NYUD.</summary>
    private static (double Alpha, double Beta) NyudStart => CrossStitch.SurveyInitialisation("nyud");

    /// <summary>ASTMT Table 3 on PASCAL's five tasks: the multi-task baseline, adversarial training, SE + RA + Adv; SE-ResNet-26 at width/64.</summary>
    public static ClaimGroup AstmtTable3 { get; } = new(
        "astmt-table3", DataSetPresets.SyntheticPascal,
        [
            new("mt-baseline", Architectures.AstmtTable3["astmt-baseline"]),
            new("adversarial", Architectures.AstmtTable3["astmt-adversarial"]),
            new("se-adapters-adversarial", Architectures.AstmtTable3["astmt"]),
        ],
        Rename(PaperClaims.AstmtTable3, ("single task", QuickExperiment.BaselineName), ("MT baseline", "mt-baseline"),
            ("Adv", "adversarial"), ("SE + RA + Adv", "se-adapters-adversarial")),
        Backbone: width => Backbones.SEResNet26(width / 64.0));

    /// <summary>Survey Table V(a): hard sharing, cross-stitch and NDDR-CNN on semseg and depth, one small ResNet with two
    /// blocks per stage, cross-stitch and NDDR starting as the survey's code starts them on NYUD.</summary>
    public static ClaimGroup SurveyNyud { get; } = new(
        "survey-nyud", SemsegAndDepth,
        [
            new("hard-sharing", Architectures.HardSharing()),
            new("cross-stitch", Architectures.CrossStitch(alpha: NyudStart.Alpha, beta: NyudStart.Beta)),
            new("nddr-cnn", Architectures.NddrCnn(alpha: NyudStart.Alpha, beta: NyudStart.Beta)),
        ],
        Rename(PaperClaims.SurveyTableVNyud, ("single task", QuickExperiment.BaselineName), ("MTL baseline", "hard-sharing"), ("NDDR-CNN", "nddr-cnn")),
        Backbone: width => Backbones.SmallResNet(width, 2, 2, 2, 2),
        Head: width => Heads.Conv(hiddenChannels: width));

    /// <summary>Survey Table V(b): hard sharing on PASCAL's five tasks with their loss weights, the same backbone as <see cref="SurveyNyud"/>.</summary>
    public static ClaimGroup SurveyPascal { get; } = new(
        "survey-pascal", DataSetPresets.SyntheticPascal,
        [new("hard-sharing", Architectures.HardSharing())],
        Rename(PaperClaims.SurveyTableVPascal, ("single task", QuickExperiment.BaselineName), ("MTL baseline", "hard-sharing")),
        Backbone: width => Backbones.SmallResNet(width, 2, 2, 2, 2),
        Head: width => Heads.Conv(hiddenChannels: width));

    /// <summary>MTI-Net Table 2a on semseg and depth: hard sharing, PAD-Net, MTI-Net without and with the FPM, on a small
    /// multi-scale ResNet of twice the width.</summary>
    public static ClaimGroup MtiNetTable2 { get; } = new(
        "mti-net-table2", SemsegAndDepth,
        [
            new("hard-sharing", Architectures.HardSharing()),
            new("pad-net", Architectures.PadNet()),
            new("mti-net-without-fpm", Architectures.MtiNet(propagation: FeaturePropagations.None())),
            new("mti-net", Architectures.MtiNet()),
        ],
        Rename(PaperClaims.MtiNetTable2, ("MTL", "hard-sharing"), ("PAD-Net", "pad-net"), ("Ours (w/o FPM)", "mti-net-without-fpm"),
            ("Ours (w/ FPM)", "mti-net")),
        Backbone: width => Backbones.SmallResNet(2 * width));

    /// <summary>All four groups: the eight claims of ASTMT Table 3, survey Table V and MTI-Net Table 2a.</summary>
    public static IReadOnlyList<ClaimGroup> All { get; } = [AstmtTable3, SurveyNyud, SurveyPascal, MtiNetTable2];

    /// <summary>The group named <paramref name="name"/>; the message lists the names.</summary>
    public static ClaimGroup Get(string name) =>
        All.FirstOrDefault(g => string.Equals(g.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown claim group '{name}'; known: {string.Join(", ", All.Select(g => g.Name))}.", nameof(name));

    private static PaperClaim[] Rename(IEnumerable<PaperClaim> claims, params (string From, string To)[] names)
    {
        var map = names.ToDictionary(n => n.From, n => n.To, StringComparer.Ordinal);
        return [.. claims.Select(c => c.Renamed(map))];
    }
}
