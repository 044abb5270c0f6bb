using MtlNotebooks.Modules.Heads;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Heads;

/// <summary>Spec of <see cref="ConvHeadModule"/>.</summary>
public sealed record ConvHead(int HiddenChannels) : IHead
{
    public string Name => $"Conv({HiddenChannels})";

    public IEnumerable<string> Validate(HeadContext context)
    {
        if (HiddenChannels < 1) yield return $"Heads.Conv for task '{context.Task}': hiddenChannels must be >= 1, got {HiddenChannels}.";
    }

    internal ConvHeadOptions Options => new(HiddenChannels);

    public nn.Module<FeatureMaps, Tensor> Create(HeadContext context) => new ConvHeadModule(context.Features, context.OutputChannels, Options);
}
