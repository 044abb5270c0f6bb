using MtlNotebooks.Modules.DecoderFocused;
using MtlNotebooks.Modules.Baselines;
using MtlNotebooks.Modules.EncoderFocused;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>Architecture factory. One slot (<see cref="MultiTaskNetBuilder.UseArchitecture"/>) covers the survey's
/// whole taxonomy: baselines, encoder-focused and decoder-focused designs, single-tasking.</summary>
public static class Architectures
{
    /// <summary>Shared encoder, one head per task (survey §2.1; the "MTL baseline" of Table V). The default.</summary>
    public static HardSharing HardSharing(IHead? head = null) => new(head ?? Heads.Conv());

    /// <summary>One full network per task: the single-task baselines of Δm.</summary>
    public static SingleTask SingleTask(IHead? head = null) => new(head ?? Heads.Conv());

    /// <summary>MTI-Net (decoder-focused, survey §2.3.4): per-scale initial predictions, distillation and feature
    /// propagation, aggregation at 1/4. Omitted arguments take the paper's choices: spatial attention, the FPM
    /// (<see cref="FeaturePropagations.Fpm"/>), every backbone level. <c>propagation: FeaturePropagations.None()</c> is
    /// Table 2's "w/o FPM".</summary>
    public static MtiNet MtiNet(IDistillationUnit? distillation = null, IFeaturePropagation? propagation = null, int? scales = null) =>
        new(distillation ?? DistillationUnits.SpatialAttention(), propagation ?? FeaturePropagations.Fpm(), scales);

    /// <summary>PAD-Net (decoder-focused, survey §2.3.1): initial predictions at 1/4, multi-modal distillation, final heads.</summary>
    public static PadNet PadNet(IDistillationUnit? distillation = null, int? channels = null) =>
        new(distillation ?? DistillationUnits.SpatialAttention(), channels);

    /// <summary>PAP-Net (survey §2.3.2): the PAD-Net structure with affinity-based recursive propagation as distillation.</summary>
    public static PadNet PapNet(int? channels = null, int steps = 2) =>
        new(DistillationUnits.AffinityPropagation(steps), channels) { Family = "PapNet" };

    /// <summary>JTRL (survey §2.3.3), generalised from its two tasks: sequential task refinement at every scale, the refined
    /// states carried from coarse to fine. Built on the MTI-Net skeleton (initial predictions per scale, aggregation).</summary>
    public static MtiNet Jtrl(int? scales = null) =>
        new(DistillationUnits.SequentialRefinement(), FeaturePropagations.Identity(), scales) { Family = "Jtrl" };

    /// <summary>The architectures the CLI can name (<c>--architecture</c>), with their defaults.</summary>
    public static IReadOnlyDictionary<string, IArchitecture> All { get; } = new Dictionary<string, IArchitecture>
    {
        ["single-task"] = SingleTask(),
        ["hard-sharing"] = HardSharing(),
        ["pad-net"] = PadNet(),
        ["pap-net"] = PapNet(),
        ["jtrl"] = Jtrl(),
        ["mti-net"] = MtiNet(),
        ["mti-net-without-fpm"] = MtiNet(propagation: FeaturePropagations.None()),
    };
}
