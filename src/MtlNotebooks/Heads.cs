using MtlNotebooks.Modules.Heads;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>Head factory.</summary>
public static class Heads
{
    /// <summary>Concatenate all levels at the finest stride, 3x3 conv-BN-ReLU with <paramref name="hiddenChannels"/>, 1x1 → task outputs.</summary>
    public static ConvHeadSpec Conv(int hiddenChannels = 32) => new(hiddenChannels);

    /// <summary>The HRNet head of MTI-Net / the survey: all levels at the finest stride, concatenated, 1x1 conv-BN-ReLU, 1x1 → outputs.</summary>
    public static HRNetHeadSpec HRNet() => new();

    /// <summary>DeepLab-v3's ASPP head on the coarsest level (the survey's "deeplab" head): branches of <paramref name="channels"/>
    /// (1x1, 3x3 at each of <paramref name="rates"/> — 12, 24, 36 by default —, image pooling), projection, 3x3, 1x1 → outputs.</summary>
    public static DeepLabHeadSpec DeepLab(int channels = 256, params int[] rates) => new(channels, rates.Length == 0 ? [12, 24, 36] : rates);

    /// <summary>Every head by name, for the CLI and the notebooks.</summary>
    public static IReadOnlyDictionary<string, IHead> All { get; } = new Dictionary<string, IHead>
    {
        ["conv"] = Conv(),
        ["hrnet"] = HRNet(),
        ["deeplab"] = DeepLab(),
    };
}

/// <summary>Spec of <see cref="HRNetHead"/>.</summary>
public sealed record HRNetHeadSpec : IHead
{
    public string Name => "HRNet";

    public nn.Module<FeatureMaps, Tensor> Create(HeadContext context) => new HRNetHead(context.Features, context.OutputChannels);
}

/// <summary>Spec of <see cref="DeepLabHead"/>.</summary>
public sealed record DeepLabHeadSpec(int Channels, IReadOnlyList<int> Rates) : IHead
{
    public string Name => $"DeepLab-v3 ({Channels}, rates {string.Join("/", Rates)})";

    public IEnumerable<string> Validate(HeadContext context)
    {
        if (Channels < 1) yield return $"Heads.DeepLab for task '{context.Task}': channels must be >= 1, got {Channels}.";
        if (Rates.Any(r => r < 1)) yield return $"Heads.DeepLab for task '{context.Task}': every rate must be >= 1, got [{string.Join(", ", Rates)}].";
    }

    public nn.Module<FeatureMaps, Tensor> Create(HeadContext context) =>
        new DeepLabHead(context.Features, context.OutputChannels, Channels, Rates);
}

/// <summary>Spec of <see cref="ConvHead"/>.</summary>
public sealed record ConvHeadSpec(int HiddenChannels) : IHead
{
    public string Name => $"Conv({HiddenChannels})";

    public IEnumerable<string> Validate(HeadContext context)
    {
        if (HiddenChannels < 1) yield return $"Heads.Conv for task '{context.Task}': hiddenChannels must be >= 1, got {HiddenChannels}.";
    }

    public nn.Module<FeatureMaps, Tensor> Create(HeadContext context) =>
        new ConvHead(context.Features, HiddenChannels, context.OutputChannels);
}
