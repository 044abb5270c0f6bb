using MtlNotebooks.Modules.Baselines;
using MtlNotebooks.Modules.EncoderFocused;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>Spec of <see cref="HardSharingModule"/>.</summary>
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
        return new HardSharingModule(backbone, heads);
    }
}
