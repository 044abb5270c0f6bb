using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>The feature pyramid network of Lin et al. (CVPR 2017), as torchvision's <c>FeaturePyramidNetwork</c> without
/// extra levels: per level a 1x1 lateral conv (<c>inner_blocks.i.0</c>), a top-down pathway that adds the nearest-neighbour
/// upsampled coarser map, and a 3x3 output conv (<c>layer_blocks.i.0</c>); every level leaves with the same width.
/// Field names equal torchvision's state-dict keys.</summary>
public sealed class FeaturePyramidNetwork : Module<FeatureMaps, FeatureMaps>
{
    private readonly ModuleList<Sequential> inner_blocks;
    private readonly ModuleList<Sequential> layer_blocks;

    public FeaturePyramidNetwork(IReadOnlyList<int> inChannels, int outChannels) : base(nameof(FeaturePyramidNetwork))
    {
        inner_blocks = new ModuleList<Sequential>();
        layer_blocks = new ModuleList<Sequential>();
        foreach (int channels in inChannels)
        {
            inner_blocks.Add(Sequential(Ops.Conv2d(channels, outChannels, 1)));
            layer_blocks.Add(Sequential(Ops.Conv2d(outChannels, outChannels, 3, padding: 1)));
        }
        RegisterComponents();
        // torchvision's initialisation: Kaiming-uniform with a = 1, zero bias.
        using var _ = no_grad();
        foreach (var conv in modules().OfType<Conv2d>())
        {
            init.kaiming_uniform_(conv.weight, a: 1);
            init.zeros_(conv.bias);
        }
    }

    /// <summary>Maps finest first, as the backbone emits them; the output has one map per input level, finest first.</summary>
    public override FeatureMaps forward(FeatureMaps maps)
    {
        if (maps.Count != inner_blocks.Count)
            throw new ArgumentException($"{nameof(FeaturePyramidNetwork)} was built for {inner_blocks.Count} levels but received {maps.Count}.", nameof(maps));
        var results = new Tensor[maps.Count];
        var topDown = inner_blocks[^1].call(maps[^1]);
        results[^1] = layer_blocks[^1].call(topDown);
        for (int i = maps.Count - 2; i >= 0; i--)
        {
            var lateral = inner_blocks[i].call(maps[i]);
            topDown = lateral.add(functional.interpolate(topDown, [lateral.shape[2], lateral.shape[3]], mode: InterpolationMode.Nearest), One);
            results[i] = layer_blocks[i].call(topDown);
        }
        return new FeatureMaps(results);
    }
}
