using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Heads;

/// <summary>DeepLab-v3's head (Chen et al. 2017) as the survey code's "deeplab" head, on the coarsest level: ASPP — 1x1,
/// three 3x3 atrous convs (rates 12/24/36) and image pooling, each conv-BN-ReLU to 256 channels —, concatenation,
/// 1x1 projection + BN + ReLU + dropout 0.5, 3x3 conv-BN-ReLU, 1x1 classifier. Children named 0-4 as torchvision's
/// DeepLabHeadModule (an nn.Sequential), so its state-dict keys equal it.</summary>
public sealed class DeepLabHeadModule : Module<FeatureMaps, Tensor>
{
    // Held in an array, not in fields, so that no parent's RegisterComponents registers them a second time by field name.
    private readonly Module<Tensor, Tensor>[] _layers;

    public DeepLabHeadModule(FeatureInfo features, int outputChannels, DeepLabHeadOptions options) : base(nameof(DeepLabHeadModule))
    {
        var (channels, rates) = options;
        _layers =
        [
            new Aspp(features.Coarsest.Channels, channels, rates ?? [12, 24, 36]),
            Ops.Conv2d(channels, channels, 3, padding: 1, bias: false),
            Ops.BatchNorm2d(channels),
            ReLU(),
            Ops.Conv2d(channels, outputChannels, 1),
        ];
        // Registered by position, as the reference's nn.Sequential names them.
        for (int i = 0; i < _layers.Length; i++) register_module($"{i}", _layers[i]);
    }

    public override Tensor forward(FeatureMaps features) => _layers.Aggregate(features.Coarsest, (x, layer) => layer.call(x));
}
