using MtlNotebooks.Modules.DecoderFocused;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Spec of <see cref="IdentityPropagationModule"/>.</summary>
public sealed record IdentityPropagation : IFeaturePropagation
{
    public string Name => "identity";
    public nn.Module<TaskFeatures, TaskFeatures> Create(PropagationContext context) => new IdentityPropagationModule();
}
