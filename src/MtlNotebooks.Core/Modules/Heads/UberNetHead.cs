using MtlNotebooks.Modules.Heads;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Heads;

/// <summary>Spec of <see cref="UberNetHeadModule"/>.</summary>
public sealed record UberNetHead : IHead
{
    public string Name => "UberNet";

    public nn.Module<FeatureMaps, Tensor> Create(HeadContext context) => new UberNetHeadModule(context.Features, context.OutputChannels);
}
