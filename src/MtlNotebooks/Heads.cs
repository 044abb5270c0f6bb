using MtlNotebooks.Modules.Heads;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>Head factory.</summary>
public static class Heads
{
    /// <summary>Concatenate all levels at the finest stride, 3x3 conv-BN-ReLU with <paramref name="hiddenChannels"/>, 1x1 → task outputs.</summary>
    public static ConvHead Conv(int hiddenChannels = 32) => new(hiddenChannels);

    /// <summary>The HRNet head of MTI-Net / the survey: all levels at the finest stride, concatenated, 1x1 conv-BN-ReLU, 1x1 → outputs.</summary>
    public static HRNetHead HRNet() => new();

    /// <summary>DeepLab-v3's ASPP head on the coarsest level (the survey's "deeplab" head): branches of <paramref name="channels"/>
    /// (1x1, 3x3 at each of <paramref name="rates"/> — 12, 24, 36 by default —, image pooling), projection, 3x3, 1x1 → outputs.</summary>
    public static DeepLabHead DeepLab(int channels = 256, params int[] rates) => new(channels, rates.Length == 0 ? [12, 24, 36] : rates);

    /// <summary>DeepLab-v3+'s decoder: ASPP (<paramref name="channels"/>; rates 6/12/18 by default, for output stride 16) on the
    /// coarsest level, joined at the finest level with <paramref name="lowLevelChannels"/> reduced low-level features.
    /// ASTMT's decoder is <c>DeepLabV3Plus(64, 12)</c>. Needs a backbone with at least two levels.</summary>
    public static DeepLabV3PlusHead DeepLabV3Plus(int channels = 256, int lowLevelChannels = 48, params int[] rates) =>
        new(channels, lowLevelChannels, rates.Length == 0 ? [6, 12, 18] : rates);

    /// <summary>MTI-Net's prediction head: two basic residual blocks of <paramref name="channels"/> (null: the finest level's
    /// width, as MTI-Net uses the backbone's width at each scale) and a 1x1 classifier, over the levels concatenated at the finest stride.</summary>
    public static ResidualBlocksHead ResidualBlocks(int? channels = null) => new(channels);

    /// <summary>UberNet's heads: a 1x1 classifier per level, upsampled to the finest stride and summed.</summary>
    public static UberNetHead UberNet() => new();

    /// <summary>Every head by name, for the CLI and the notebooks.</summary>
    public static IReadOnlyDictionary<string, IHead> All { get; } = new Dictionary<string, IHead>
    {
        ["conv"] = Conv(),
        ["hrnet"] = HRNet(),
        ["deeplab"] = DeepLab(),
        ["deeplab-v3plus"] = DeepLabV3Plus(),
        ["residual-blocks"] = ResidualBlocks(),
        ["ubernet"] = UberNet(),
    };
}

/// <summary>Spec of <see cref="HRNetHeadModule"/>.</summary>
public sealed record HRNetHead : IHead
{
    public string Name => "HRNet";

    public nn.Module<FeatureMaps, Tensor> Create(HeadContext context) => new HRNetHeadModule(context.Features, context.OutputChannels);
}

/// <summary>Spec of <see cref="DeepLabHeadModule"/>.</summary>
public sealed record DeepLabHead(int Channels, IReadOnlyList<int> Rates) : IHead
{
    public string Name => $"DeepLab-v3 ({Channels}, rates {string.Join("/", Rates)})";

    public IEnumerable<string> Validate(HeadContext context)
    {
        if (Channels < 1) yield return $"Heads.DeepLab for task '{context.Task}': channels must be >= 1, got {Channels}.";
        if (Rates.Any(r => r < 1)) yield return $"Heads.DeepLab for task '{context.Task}': every rate must be >= 1, got [{string.Join(", ", Rates)}].";
    }

    public nn.Module<FeatureMaps, Tensor> Create(HeadContext context) =>
        new DeepLabHeadModule(context.Features, context.OutputChannels, Channels, Rates);
}

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

    public nn.Module<FeatureMaps, Tensor> Create(HeadContext context) =>
        new DeepLabV3PlusHeadModule(context.Features, context.OutputChannels, Channels, LowLevelChannels, Rates);
}

/// <summary>Spec of <see cref="ResidualBlocksHeadModule"/>.</summary>
public sealed record ResidualBlocksHead(int? Channels) : IHead
{
    public string Name => Channels is int c ? $"ResidualBlocks({c})" : "ResidualBlocks";

    public IEnumerable<string> Validate(HeadContext context)
    {
        if (Channels < 1) yield return $"Heads.ResidualBlocks for task '{context.Task}': channels must be >= 1, got {Channels}.";
    }

    public nn.Module<FeatureMaps, Tensor> Create(HeadContext context) =>
        new ResidualBlocksHeadModule(context.Features, context.OutputChannels, Channels ?? context.Features.Finest.Channels);
}

/// <summary>Spec of <see cref="UberNetHeadModule"/>.</summary>
public sealed record UberNetHead : IHead
{
    public string Name => "UberNet";

    public nn.Module<FeatureMaps, Tensor> Create(HeadContext context) => new UberNetHeadModule(context.Features, context.OutputChannels);
}

/// <summary>Spec of <see cref="ConvHeadModule"/>.</summary>
public sealed record ConvHead(int HiddenChannels) : IHead
{
    public string Name => $"Conv({HiddenChannels})";

    public IEnumerable<string> Validate(HeadContext context)
    {
        if (HiddenChannels < 1) yield return $"Heads.Conv for task '{context.Task}': hiddenChannels must be >= 1, got {HiddenChannels}.";
    }

    public nn.Module<FeatureMaps, Tensor> Create(HeadContext context) =>
        new ConvHeadModule(context.Features, HiddenChannels, context.OutputChannels);
}
