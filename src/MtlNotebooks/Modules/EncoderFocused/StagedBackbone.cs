using MtlNotebooks.Modules.Backbones;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>What the encoder-focused architectures (survey §2.2) know of a backbone spec before any module exists: whether
/// it runs as a stem and sequential stages, each stage's output and how many blocks each stage has.</summary>
internal static class StagedBackbone
{
    /// <summary>Every stage's output of <paramref name="spec"/> (also when it emits the last only), or null when it is not staged.</summary>
    public static FeatureInfo? Levels(IBackbone spec) => spec switch
    {
        ResNet r => (r.Options with { MultiScale = true }).Features,
        MobileNetV2 m => (m.Options with { MultiScale = true }).Features,
        SmallResNet s => s.Features,
        _ => null,
    };

    /// <summary>Blocks per stage (MobileNet-V2: inverted residuals, the last 1x1 conv counted as a block of the last stage).</summary>
    public static IReadOnlyList<int> Blocks(IBackbone spec) => spec switch
    {
        ResNet r => r.Options.Blocks,
        MobileNetV2 m => [3, 3, 7, m.Options.IncludeLastConv ? 5 : 4],
        SmallResNet s => s.Blocks,
        _ => [],
    };

    /// <summary>Why <paramref name="spec"/> does not fit an architecture that works stage by stage, or null when it does.</summary>
    public static string? Unfit(IBackbone spec, string caller, string why)
    {
        if (Levels(spec) is not null) return null;
        string kind = spec switch
        {
            HRNet => "HRNet runs its resolutions in parallel branches that exchange features, not as sequential stages",
            Fpn => "an FPN's levels come from a top-down pathway over the whole bottom-up network, not from sequential stages",
            _ => "it is not one of the library's staged backbones",
        };
        return $"{caller}: {why}, so it needs a backbone made of a stem and sequential stages (the ResNet family, SE-ResNets, " +
               $"SmallResNet, MobileNet-V2); backbone {spec.Name} does not fit: {kind}.";
    }
}
