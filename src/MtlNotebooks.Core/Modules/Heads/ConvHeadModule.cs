using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Heads;

/// <summary>A plain convolutional head over all levels: every map resized to the finest level, concatenated
/// (the HRNet head's aggregation, MTI-Net §3.3), a 3x3 conv-BN-ReLU, then a 1x1 classifier with bias.</summary>
public sealed class ConvHeadModule : Module<FeatureMaps, Tensor>
{
    private readonly ConvBnAct conv;
    private readonly Conv2d classifier;

    public ConvHeadModule(FeatureInfo features, int outputChannels, ConvHeadOptions options) : base(nameof(ConvHeadModule))
    {
        conv = new ConvBnAct(features.TotalChannels, options.HiddenChannels, 3);
        classifier = Ops.Conv2d(options.HiddenChannels, outputChannels, 1);
        RegisterComponents();
    }

    public override Tensor forward(FeatureMaps features) =>
        classifier.call(conv.call(Resize.ConcatAtFinest(features)));
}
