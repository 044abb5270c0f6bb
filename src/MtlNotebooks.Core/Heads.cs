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
