namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>JTRL (Zhang et al., ECCV 2018; survey §2.3.3), generalised from its two tasks: sequential task refinement
/// (<see cref="SequentialRefinement"/>) at every scale, the refined states carried unchanged from coarse to fine
/// (<see cref="IdentityPropagation"/>), on the MTI-Net skeleton (<see cref="MtiNetModule"/>: initial predictions per
/// scale, aggregation). <see cref="Scales"/> as for <see cref="MtiNet"/>.</summary>
public sealed record Jtrl(int? Scales = null) : IArchitecture
{
    /// <summary>The distillation unit this configuration builds at every scale.</summary>
    public SequentialRefinement Distillation => new();

    /// <summary>How the refined states cross scales.</summary>
    public IdentityPropagation Propagation => new();

    public string Name => $"{nameof(Jtrl)}({Distillation.Name}{(Scales is int n ? $", {n} scales" : "")})";

    public IEnumerable<string> Validate(ArchitectureContext context) => MtiNet.Validate(nameof(Jtrl), Distillation, Propagation, Scales, context);

    public MultiTaskNet Create(ArchitectureContext context) => MtiNet.Create(Distillation, Propagation, Scales, context);
}
