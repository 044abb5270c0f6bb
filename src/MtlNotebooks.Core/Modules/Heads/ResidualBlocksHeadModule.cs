using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Heads;

/// <summary>MTI-Net's prediction head (§3.1, as the released code builds its per-scale heads): two torchvision basic
/// blocks — the first projecting to <c>channels</c> with a 1x1 conv-BN shortcut when the width changes — and a 1x1
/// classifier, here over all levels concatenated at the finest stride.</summary>
public sealed class ResidualBlocksHeadModule : Module<FeatureMaps, Tensor>
{
    private readonly Sequential blocks;
    private readonly Conv2d classifier;

    public ResidualBlocksHeadModule(FeatureInfo features, int outputChannels, ResidualBlocksHeadOptions options) : base(nameof(ResidualBlocksHeadModule))
    {
        int channels = options.Channels;
        int input = features.TotalChannels;
        blocks = Sequential(("0", new ResNetBasicBlock(input, channels, project: input != channels)), ("1", new ResNetBasicBlock(channels, channels)));
        classifier = Ops.Conv2d(channels, outputChannels, 1);
        RegisterComponents();
    }

    public override Tensor forward(FeatureMaps features) => classifier.call(blocks.call(Resize.ConcatAtFinest(features)));
}
