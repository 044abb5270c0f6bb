using MtlNotebooks.Modules.DecoderFocused;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>Distillation unit factory (survey §2.3; MTI-Net §3.2). A unit of your own needs no registration:
/// pass it to <c>Architectures.MtiNet(distillation: new MyUnit())</c>.</summary>
public static class DistillationUnits
{
    /// <summary>PAD-Net / MTI-Net spatial attention, eq. (1).</summary>
    public static SpatialAttention SpatialAttention(int kernel = 3) => new(kernel);

    /// <summary>The squeeze-and-excitation (channel attention) variant MTI-Net mentions in §3.2.</summary>
    public static ChannelAttention ChannelAttention(int reduction = 4) => new(reduction);

    /// <summary>PAP-Net's affinity-based recursive propagation (survey §2.3.2).</summary>
    public static AffinityPropagation AffinityPropagation(int steps = 2, int maxPixels = 1024) => new(steps, maxPixels);

    /// <summary>JTRL's sequential task refinement (survey §2.3.3).</summary>
    public static SequentialRefinement SequentialRefinement() => new();

    /// <summary>Every built-in unit with its defaults (for contract tests and the CLI).</summary>
    public static IReadOnlyDictionary<string, IDistillationUnit> All { get; } = new Dictionary<string, IDistillationUnit>
    {
        ["spatial-attention"] = SpatialAttention(),
        ["channel-attention"] = ChannelAttention(),
        ["affinity-propagation"] = AffinityPropagation(),
        ["sequential-refinement"] = SequentialRefinement(),
    };
}
