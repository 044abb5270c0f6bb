using MtlNotebooks.Modules.Heads;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Heads;

/// <summary>Spec of <see cref="ResidualBlocksHeadModule"/>.</summary>
public sealed record ResidualBlocksHead(int? Channels) : IHead
{
    public string Name => Channels is int c ? $"ResidualBlocks({c})" : "ResidualBlocks";

    public IEnumerable<string> Validate(HeadContext context)
    {
        if (Channels < 1) yield return $"Heads.ResidualBlocks for task '{context.Task}': channels must be >= 1, got {Channels}.";
    }

    /// <summary>The options for <paramref name="features"/>: without channels of its own, the finest level's width.</summary>
    internal ResidualBlocksHeadOptions Options(FeatureInfo features) => new(Channels ?? features.Finest.Channels);

    public nn.Module<FeatureMaps, Tensor> Create(HeadContext context) =>
        new ResidualBlocksHeadModule(context.Features, context.OutputChannels, Options(context.Features));
}
