using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Heads;

/// <summary>DeepLab-v3+'s decoder (Chen et al., ECCV 2018) as a head: ASPP on the coarsest level (rates 6/12/18 for output
/// stride 16), low-level features of the finest level reduced by a 1x1 conv-BN-ReLU, the ASPP output upsampled to the finest
/// stride and concatenated with them, two 3x3 conv-BN-ReLU, a 1x1 classifier. ASTMT's decoder is this head with 64
/// channels and 12 low-level channels (ASTMT §4.1).</summary>
public sealed class DeepLabV3PlusHeadModule : Module<FeatureMaps, Tensor>
{
    private readonly Aspp aspp;
    private readonly Sequential low_level;
    private readonly Sequential decoder;
    private readonly Conv2d classifier;

    public DeepLabV3PlusHeadModule(FeatureInfo features, int outputChannels, DeepLabV3PlusHeadOptions options)
        : base(nameof(DeepLabV3PlusHeadModule))
    {
        var (channels, lowLevelChannels, rates) = options;
        aspp = new Aspp(features.Coarsest.Channels, channels, rates);
        low_level = Sequential(Ops.Conv2d(features.Finest.Channels, lowLevelChannels, 1, bias: false), Ops.BatchNorm2d(lowLevelChannels), ReLU());
        decoder = Sequential(
            Ops.Conv2d(channels + lowLevelChannels, channels, 3, padding: 1, bias: false), Ops.BatchNorm2d(channels), ReLU(),
            Ops.Conv2d(channels, channels, 3, padding: 1, bias: false), Ops.BatchNorm2d(channels), ReLU());
        classifier = Ops.Conv2d(channels, outputChannels, 1);
        RegisterComponents();
    }

    public override Tensor forward(FeatureMaps features)
    {
        var low = low_level.call(features.Finest);
        var context = Resize.To(aspp.call(features.Coarsest), low.shape[2], low.shape[3]);
        return classifier.call(decoder.call(cat([context, low], 1)));
    }
}
