using MtlNotebooks.Modules.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>Options of the small ResNet-style backbone: a stem and one stage of basic residual blocks per level.</summary>
/// <param name="Width">Channels of the first stage; every later stage doubles them (ResNet's rule).</param>
/// <param name="Blocks">Basic blocks per stage; the number of stages is the number of feature levels.</param>
public sealed record SmallResNetOptions(int Width = 16, IReadOnlyList<int>? Blocks = null)
{
    public IReadOnlyList<int> StageBlocks => Blocks ?? [1, 1, 1, 1];

    /// <summary>Levels at strides 4, 8, 16, 32 (the stem halves twice, each later stage once).</summary>
    public FeatureInfo Features => new(StageBlocks.Select((_, i) => new FeatureLevel($"layer{i + 1}", Width << i, 4 << i)));
}
