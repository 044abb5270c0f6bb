using MtlNotebooks.Modules.DecoderFocused;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Spec of <see cref="PadNetModule"/> (PAD-Net, CVPR 2018). <see cref="Channels"/> is the width of the task
/// features and the distillation (a multiple of 4); null uses the reference code's 256, or the fused backbone width rounded
/// down to a multiple of 4 when that is narrower (see <see cref="PadNetModule.DefaultChannels"/>).</summary>
public sealed record PadNet(IDistillationUnit Distillation, int? Channels = null) : IArchitecture
{
    public string Name => $"{nameof(PadNet)}({Distillation.Name})";

    public IEnumerable<string> Validate(ArchitectureContext context) => Validate(nameof(PadNet), Distillation, Channels, context);

    public MultiTaskNet Create(ArchitectureContext context) => Create(Distillation, Channels, context);

    /// <summary>The checks of every architecture built on <see cref="PadNetModule"/>, worded for <paramref name="architecture"/>.</summary>
    internal static IEnumerable<string> Validate(string architecture, IDistillationUnit distillation, int? channels, ArchitectureContext context)
    {
        int width = channels ?? PadNetModule.DefaultChannels(context.Backbone.Features);
        if (width < 4 || width % 4 != 0)
        {
            yield return $"UseArchitecture({architecture}): channels must be a positive multiple of 4 (its bottlenecks expand 4x), got {width}" +
                         (channels is null ? $" from backbone '{context.Backbone.Name}' ({context.Backbone.Features}); pass channels: explicitly." : ".");
            yield break;
        }
        var level = context.Backbone.Features.Finest;
        foreach (var problem in distillation.Validate(new DistillationContext(
                     context.AllTasks.Select(t => t.Name).ToArray(), context.Tasks.Select(t => t.Name).ToArray(), width, level)))
            yield return $"UseArchitecture({architecture}): {problem}";
    }

    internal static PadNetModule Create(IDistillationUnit distillation, int? channels, ArchitectureContext context)
    {
        var backbone = context.Backbone.Create();
        return new PadNetModule(backbone, new PadNetOptions(
            context.Tasks.Select(t => t.Name).ToArray(),
            context.AllTasks.ToDictionary(t => t.Name, t => t.OutputChannels),
            context.AuxiliaryTasks.Select(t => t.Name).ToArray(),
            channels ?? PadNetModule.DefaultChannels(backbone.Features),
            distillation));
    }
}
