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

/// <summary>Spec of <see cref="SpatialAttentionModule"/>: F_k^o = F_k + Σ_{l≠k} σ(W_{k,l} F_l) ⊙ (W'_{k,l} F_l).</summary>
public sealed record SpatialAttention(int Kernel = 3) : IDistillationUnit
{
    public string Name => "SpatialAttention";

    public IEnumerable<string> Validate(DistillationContext context)
    {
        if (context.Sources.Count < 2)
            yield return $"{Name} distils between tasks and needs at least 2 (main + auxiliary), got {context.Sources.Count} ({string.Join(", ", context.Sources)}).";
        if (Kernel < 1 || Kernel % 2 == 0) yield return $"{Name}: kernel must be odd and >= 1, got {Kernel}.";
    }

    public nn.Module<TaskFeatures, TaskFeatures> Create(DistillationContext context) => new SpatialAttentionModule(context, Kernel);
}

/// <summary>Spec of <see cref="ChannelAttentionModule"/>: F_k^o = F_k + Σ_{l≠k} SE_{k,l}(W_{k,l} F_l).</summary>
public sealed record ChannelAttention(int Reduction = 4) : IDistillationUnit
{
    public string Name => "ChannelAttention";

    public IEnumerable<string> Validate(DistillationContext context)
    {
        if (context.Sources.Count < 2)
            yield return $"{Name} distils between tasks and needs at least 2 (main + auxiliary), got {context.Sources.Count} ({string.Join(", ", context.Sources)}).";
        if (Reduction < 1) yield return $"{Name}: reduction must be >= 1, got {Reduction}.";
    }

    public nn.Module<TaskFeatures, TaskFeatures> Create(DistillationContext context) => new ChannelAttentionModule(context, Reduction);
}

/// <summary>Spec of <see cref="AffinityPropagationModule"/> (PAP-Net).</summary>
public sealed record AffinityPropagation(int Steps = 2, int MaxPixels = 1024) : IDistillationUnit
{
    public string Name => "AffinityPropagation";

    public IEnumerable<string> Validate(DistillationContext context)
    {
        if (Steps < 1) yield return $"{Name}: steps must be >= 1, got {Steps}.";
        if (MaxPixels < 1) yield return $"{Name}: maxPixels must be >= 1, got {MaxPixels}.";
    }

    public nn.Module<TaskFeatures, TaskFeatures> Create(DistillationContext context) => new AffinityPropagationModule(context, Steps, MaxPixels);
}

/// <summary>Spec of <see cref="SequentialRefinementModule"/> (JTRL).</summary>
public sealed record SequentialRefinement : IDistillationUnit
{
    public string Name => "SequentialRefinement";

    public IEnumerable<string> Validate(DistillationContext context)
    {
        if (context.Sources.Count < 2)
            yield return $"{Name} refines tasks from each other and needs at least 2, got {context.Sources.Count} ({string.Join(", ", context.Sources)}).";
    }

    public nn.Module<TaskFeatures, TaskFeatures> Create(DistillationContext context) => new SequentialRefinementModule(context);
}

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
}

/// <summary>Spec of <see cref="IdentityPropagationModule"/>.</summary>
public sealed record IdentityPropagation : IFeaturePropagation
{
    public string Name => "identity";
    public nn.Module<TaskFeatures, TaskFeatures> Create(PropagationContext context) => new IdentityPropagationModule();
}

/// <summary>The absence of feature propagation ("w/o FPM"): architectures test <see cref="IFeaturePropagation.Propagates"/>
/// and build no module for it.</summary>
public sealed record NoPropagation : IFeaturePropagation
{
    public string Name => "w/o FPM";
    public bool Propagates => false;
    public nn.Module<TaskFeatures, TaskFeatures> Create(PropagationContext context) =>
        throw new InvalidOperationException($"{nameof(NoPropagation)} stands for the 'w/o FPM' ablation and has no module; check Propagates first.");
}

/// <summary>Spec of <see cref="FpmModule"/>.</summary>
public sealed record Fpm(FpmGrouping Grouping = FpmGrouping.ReferenceCode, int SeReduction = 16) : IFeaturePropagation
{
    public string Name => $"FPM ({Grouping})";

    public IEnumerable<string> Validate(PropagationContext context)
    {
        if (context.Tasks.Count < 2) yield return $"{Name} harmonises at least 2 tasks, got {context.Tasks.Count}.";
        if (SeReduction < 1) yield return $"{Name}: SE reduction must be >= 1, got {SeReduction}.";
    }

    public nn.Module<TaskFeatures, TaskFeatures> Create(PropagationContext context) => new FpmModule(context, Grouping, SeReduction);
}
