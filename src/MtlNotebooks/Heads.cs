using MtlNotebooks.Modules.Heads;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>Head factory.</summary>
public static class Heads
{
    /// <summary>Concatenate all levels at the finest stride, 3x3 conv-BN-ReLU with <paramref name="hiddenChannels"/>, 1x1 → task outputs.</summary>
    public static ConvHeadSpec Conv(int hiddenChannels = 32) => new(hiddenChannels);
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
