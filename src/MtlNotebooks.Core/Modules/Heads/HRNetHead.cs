using MtlNotebooks.Modules.Heads;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Heads;

/// <summary>Spec of <see cref="HRNetHeadModule"/>.</summary>
public sealed record HRNetHead : IHead
{
    public string Name => "HRNet";

    public nn.Module<FeatureMaps, Tensor> Create(HeadContext context) => new HRNetHeadModule(context.Features, context.OutputChannels);
}
