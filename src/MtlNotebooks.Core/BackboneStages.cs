using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>How a <see cref="IStagedBackboneModule"/> runs: the stem, then each stage's blocks in order.</summary>
/// <param name="Stem">The layers before the first stage (a ResNet's conv1, bn1, ReLU and max-pool).</param>
/// <param name="StemChannels">Channels of the stem's output.</param>
/// <param name="Blocks">Each stage's blocks in order.</param>
/// <param name="Levels">Each stage's output (name, channels, stride), whether or not the backbone emits it.</param>
public sealed record BackboneStages(Func<Tensor, Tensor> Stem, int StemChannels, IReadOnlyList<IReadOnlyList<nn.Module<Tensor, Tensor>>> Blocks,
    FeatureInfo Levels)
{
    /// <summary>Stage <paramref name="stage"/> on <paramref name="input"/>; stage 0 runs the stem first.</summary>
    public Tensor Run(int stage, Tensor input, bool withStem = true)
    {
        var x = stage == 0 && withStem ? Stem(input) : input;
        foreach (var block in Blocks[stage]) x = block.call(x);
        return x;
    }

    /// <summary>Channels entering <paramref name="block"/>: its first convolution's input channels (grouped or depthwise, as a
    /// ConvNeXt block starts, counted whole).</summary>
    public static int InputChannels(nn.Module block) => FirstConv(block) is { } conv ? (int)conv.in_channels : 0;

    // Depth first in registration order (modules() lists a container's direct children before their descendants).
    private static Conv2d? FirstConv(nn.Module module) =>
        module as Conv2d ?? module.children().Select(FirstConv).FirstOrDefault(c => c is not null);
}
