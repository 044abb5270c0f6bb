namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>PAP-Net (Zhang et al., CVPR 2019; survey §2.3.2): the PAD-Net structure (<see cref="PadNetModule"/>) with
/// affinity-based recursive propagation (<see cref="AffinityPropagation"/>, <see cref="Steps"/> diffusion steps) as its
/// distillation. <see cref="Channels"/> as for <see cref="PadNet"/>.</summary>
public sealed record PapNet(int? Channels = null, int Steps = 2) : IArchitecture
{
    /// <summary>The distillation unit this configuration builds.</summary>
    public AffinityPropagation Distillation => new(Steps);

    public string Name => $"{nameof(PapNet)}({Distillation.Name})";

    public IEnumerable<string> Validate(ArchitectureContext context) => PadNet.Validate(nameof(PapNet), Distillation, Channels, context);

    public MultiTaskNet Create(ArchitectureContext context) => PadNet.Create(Distillation, Channels, context);
}
