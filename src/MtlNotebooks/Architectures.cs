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
    /// propagation, aggregation at 1/4. Defaults are the paper's: spatial attention, the FPM, every backbone level.
    /// <paramref name="propagation"/>: null keeps the default FPM; pass <see cref="WithoutPropagation"/> for the "w/o FPM" ablation.</summary>
    public static MtiNet MtiNet(IDistillationUnit? distillation = null, IFeaturePropagation? propagation = null, int? scales = null) =>
        new(distillation ?? DistillationUnits.SpatialAttention(), propagation is NoPropagation ? null : propagation ?? FeaturePropagations.MtiNet(), scales);

    /// <summary>Pass as MtiNet's propagation to ablate the FPM (MTI-Net Table 2, "w/o FPM").</summary>
    public static IFeaturePropagation WithoutPropagation { get; } = new NoPropagation();

    /// <summary>PAD-Net (decoder-focused, survey §2.3.1): initial predictions at 1/4, multi-modal distillation, final heads.</summary>
    public static PadNet PadNet(IDistillationUnit? distillation = null, int? channels = null) =>
        new(distillation ?? DistillationUnits.SpatialAttention(), channels);

    /// <summary>PAP-Net (survey §2.3.2): the PAD-Net structure with affinity-based recursive propagation as distillation.</summary>
    public static PadNet PapNet(int? channels = null, int steps = 2) => new(DistillationUnits.AffinityPropagation(steps), channels);

    /// <summary>JTRL (survey §2.3.3), generalised from its two tasks: sequential task refinement at every scale, the refined
    /// states carried from coarse to fine. Built on the MTI-Net skeleton (initial predictions per scale, aggregation).</summary>
    public static MtiNet Jtrl(int? scales = null) => new(DistillationUnits.SequentialRefinement(), FeaturePropagations.Identity(), scales);

    /// <summary>The architectures the CLI can name (<c>--architecture</c>), with their defaults.</summary>
    public static IReadOnlyDictionary<string, IArchitecture> All { get; } = new Dictionary<string, IArchitecture>
    {
        ["single-task"] = SingleTask(),
        ["hard-sharing"] = HardSharing(),
        ["pad-net"] = PadNet(),
        ["pap-net"] = PapNet(),
        ["jtrl"] = Jtrl(),
        ["mti-net"] = MtiNet(),
        ["mti-net-without-fpm"] = MtiNet(propagation: WithoutPropagation),
    };

    private sealed record NoPropagation : IFeaturePropagation
    {
        public string Name => "w/o FPM";
        public TorchSharp.torch.nn.Module<TaskFeatures, TaskFeatures> Create(PropagationContext context) =>
            throw new InvalidOperationException("Architectures.WithoutPropagation marks the 'w/o FPM' ablation; it has no module.");
    }
}

/// <summary>Spec of <see cref="HardSharingNet"/>.</summary>
public sealed record HardSharing(IHead Head) : IHeadedArchitecture
{
    public string Name => "HardSharing";

    public IArchitecture WithHead(IHead head) => this with { Head = head };

    public IEnumerable<string> Validate(ArchitectureContext context) =>
        context.AllTasks.SelectMany(t => Head.Validate(new HeadContext(t.Name, t.OutputChannels, context.Backbone.Features)));

    public MultiTaskNet Create(ArchitectureContext context)
    {
        var backbone = context.Backbone.Create();
        var heads = context.AllTasks.ToDictionary(
            t => t.Name,
            t => Head.Create(new HeadContext(t.Name, t.OutputChannels, backbone.Features)));
        return new HardSharingNet(backbone, heads);
    }
}

/// <summary>Spec of <see cref="SingleTaskNetworks"/>.</summary>
public sealed record SingleTask(IHead Head) : IHeadedArchitecture
{
    public string Name => "SingleTask";

    public IArchitecture WithHead(IHead head) => this with { Head = head };

    public IEnumerable<string> Validate(ArchitectureContext context)
    {
        if (context.AuxiliaryTasks.Count > 0)
            yield return $"UseArchitecture(SingleTask): single-task baselines have no auxiliary tasks, got " +
                         $"{string.Join(", ", context.AuxiliaryTasks.Select(t => $"'{t.Name}'"))}. Remove AddAuxiliaryTask or use a multi-task architecture.";
        foreach (var problem in context.Tasks.SelectMany(t => Head.Validate(new HeadContext(t.Name, t.OutputChannels, context.Backbone.Features))))
            yield return problem;
    }

    public MultiTaskNet Create(ArchitectureContext context) =>
        new SingleTaskNetworks(context.Tasks.ToDictionary(
            t => t.Name,
            t =>
            {
                var backbone = context.Backbone.Create();
                return (backbone, Head.Create(new HeadContext(t.Name, t.OutputChannels, backbone.Features)));
            }));
}
