using MtlNotebooks.Modules.DecoderFocused;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Spec of <see cref="PadNetModule"/> (PAD-Net, CVPR 2018). <see cref="Channels"/> is the width of the task
/// features and the distillation (a multiple of 4); null uses the reference code's 256, or the fused backbone width rounded
/// down to a multiple of 4 when that is narrower (see <see cref="PadNetModule.DefaultChannels"/>).</summary>
public sealed record PadNet(IDistillationUnit Distillation, int? Channels = null) : IArchitecture
{
    /// <summary>The method this configuration is known as (PAP-Net is PAD-Net with affinity propagation).</summary>
    public string Family { get; init; } = "PadNet";

    public string Name => $"{Family}({Distillation.Name})";

    public IEnumerable<string> Validate(ArchitectureContext context)
    {
        int channels = Channels ?? PadNetModule.DefaultChannels(context.Backbone.Features);
        if (channels < 4 || channels % 4 != 0)
        {
            yield return $"UseArchitecture(PadNet): channels must be a positive multiple of 4 (its bottlenecks expand 4x), got {channels}" +
                         (Channels is null ? $" from backbone '{context.Backbone.Name}' ({context.Backbone.Features}); pass channels: explicitly." : ".");
            yield break;
        }
        var level = context.Backbone.Features.Finest;
        foreach (var problem in Distillation.Validate(new DistillationContext(
                     context.AllTasks.Select(t => t.Name).ToArray(), context.Tasks.Select(t => t.Name).ToArray(), channels, level)))
            yield return $"UseArchitecture(PadNet): {problem}";
    }

    public MultiTaskNet Create(ArchitectureContext context)
    {
        var backbone = context.Backbone.Create();
        return new PadNetModule(backbone, context.Tasks.Select(t => t.Name).ToArray(), context.AuxiliaryTasks.Select(t => t.Name).ToArray(),
            context.AllTasks.ToDictionary(t => t.Name, t => t.OutputChannels), Channels ?? PadNetModule.DefaultChannels(backbone.Features), Distillation);
    }
}
