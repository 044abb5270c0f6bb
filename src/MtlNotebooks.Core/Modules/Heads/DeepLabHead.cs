using MtlNotebooks.Modules.Heads;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Heads;

/// <summary>Spec of <see cref="DeepLabHeadModule"/>.</summary>
public sealed record DeepLabHead(int Channels, IReadOnlyList<int> Rates) : IHead
{
    public string Name => $"DeepLab-v3 ({Channels}, rates {string.Join("/", Rates)})";

    public IEnumerable<string> Validate(HeadContext context)
    {
        if (Channels < 1) yield return $"Heads.DeepLab for task '{context.Task}': channels must be >= 1, got {Channels}.";
        if (Rates.Any(r => r < 1)) yield return $"Heads.DeepLab for task '{context.Task}': every rate must be >= 1, got [{string.Join(", ", Rates)}].";
    }

    internal DeepLabHeadOptions Options => new(Channels, Rates);

    public nn.Module<FeatureMaps, Tensor> Create(HeadContext context) => new DeepLabHeadModule(context.Features, context.OutputChannels, Options);
}
