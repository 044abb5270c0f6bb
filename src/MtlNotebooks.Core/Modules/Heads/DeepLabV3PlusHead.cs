using MtlNotebooks.Modules.Heads;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Heads;

/// <summary>Spec of <see cref="DeepLabV3PlusHeadModule"/>.</summary>
public sealed record DeepLabV3PlusHead(int Channels, int LowLevelChannels, IReadOnlyList<int> Rates) : IHead
{
    public string Name => $"DeepLab-v3+ ({Channels}, low-level {LowLevelChannels}, rates {string.Join("/", Rates)})";

    public IEnumerable<string> Validate(HeadContext context)
    {
        string caller = $"Heads.DeepLabV3Plus for task '{context.Task}'";
        if (Channels < 1) yield return $"{caller}: channels must be >= 1, got {Channels}.";
        if (LowLevelChannels < 1) yield return $"{caller}: lowLevelChannels must be >= 1, got {LowLevelChannels}.";
        if (Rates.Any(r => r < 1)) yield return $"{caller}: every rate must be >= 1, got [{string.Join(", ", Rates)}].";
        if (context.Features.Count < 2)
            yield return $"{caller}: needs low-level features from a finer level, but the backbone emits one level ({context.Features}). " +
                         "Use a multi-scale backbone (multiScale: true) or Heads.DeepLab().";
    }

    internal DeepLabV3PlusHeadOptions Options => new(Channels, LowLevelChannels, Rates);

    public nn.Module<FeatureMaps, Tensor> Create(HeadContext context) => new DeepLabV3PlusHeadModule(context.Features, context.OutputChannels, Options);
}
