using MtlNotebooks.Modules.DecoderFocused;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>Feature propagation factory (MTI-Net §3.3).</summary>
public static class FeaturePropagations
{
    /// <summary>MTI-Net's feature propagation module (FPM, §3.3); <paramref name="grouping"/> picks the reference code's
    /// softmax grouping (default) or the paper's.</summary>
    public static Fpm Fpm(FpmGrouping grouping = FpmGrouping.ReferenceCode, int seReduction = 16) => new(grouping, seReduction);

    /// <summary>Carries task features unchanged to the next finer scale (JTRL's recursion over scales).</summary>
    public static IdentityPropagation Identity() => new();

    /// <summary>Nothing crosses scales: MTI-Net Table 2's "w/o FPM" ablation (each scale also loses the input channels the
    /// propagated features would have added).</summary>
    public static NoPropagation None() => new();

    /// <summary>Every built-in propagation with its defaults (for contract tests and the CLI). <see cref="None"/> is not
    /// one: it stands for the absence of a module.</summary>
    public static IReadOnlyDictionary<string, IFeaturePropagation> All { get; } = new Dictionary<string, IFeaturePropagation>
    {
        ["fpm"] = Fpm(),
        ["fpm-paper"] = Fpm(FpmGrouping.Paper),
        ["identity"] = Identity(),
    };
}
