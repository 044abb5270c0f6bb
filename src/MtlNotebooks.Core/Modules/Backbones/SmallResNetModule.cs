using MtlNotebooks.Modules.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>A ResNet (He et al. 2016) with basic blocks and a multi-scale output, one map per stage
/// (strides 4, 8, 16, 32), like the multi-scale backbones MTI-Net builds on. Narrow by default for CPU tutorials.</summary>
public sealed class SmallResNetModule : Backbone, IStagedBackboneModule
{
    private readonly Sequential stem;
    private readonly ModuleList<Module<Tensor, Tensor>> layers;
    private readonly FeatureInfo _features;

    public SmallResNetModule(SmallResNetOptions options) : base(nameof(SmallResNetModule))
    {
        _features = options.Features;
        int width = options.Width;
        // Stem: two stride-2 3x3 convs (as HRNet's stem) instead of 7x7 + max-pool: cheaper on small images.
        stem = Sequential(("conv1", new ConvBnAct(3, width, 3, stride: 2)), ("conv2", new ConvBnAct(width, width, 3, stride: 2)));
        layers = new ModuleList<Module<Tensor, Tensor>>();
        int inChannels = width;
        for (int stage = 0; stage < options.StageBlocks.Count; stage++)
        {
            int outChannels = width << stage;
            var blocks = new List<Module<Tensor, Tensor>>();
            for (int b = 0; b < options.StageBlocks[stage]; b++)
            {
                int stride = b == 0 && stage > 0 ? 2 : 1;
                blocks.Add(ResNetBasicBlock.OfConvBnUnits(b == 0 ? inChannels : outChannels, outChannels, stride));
            }
            layers.Add(Sequential(blocks));
            inChannels = outChannels;
        }
        RegisterComponents();
    }

    public override FeatureInfo Features => _features;

    public BackboneStages Stages => new(stem.call, _features.Finest.Channels,
        layers.Select(l => ((Sequential)l).children().Cast<Module<Tensor, Tensor>>().ToArray()).ToArray(), _features);

    public override FeatureMaps forward(Tensor input)
    {
        var x = stem.call(input);
        var maps = new List<Tensor>(layers.Count);
        foreach (var layer in layers)
        {
            x = layer.call(x);
            maps.Add(x);
        }
        return new FeatureMaps(maps);
    }
}
