using MtlNotebooks.Modules.Backbones;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Heads;

/// <summary>The HRNet head of the survey / MTI-Net code: every level resized to the finest (stride 4), concatenated
/// (270 channels on HRNet-18), 1x1 conv (bias) + BN + ReLU at the same width, 1x1 conv (bias) to the task's outputs.
/// Field <c>last_layer</c> (children 0, 1, 2, 3) as the reference, so its weights load by name.</summary>
public sealed class HRNetHeadModule : Module<FeatureMaps, Tensor>
{
    private readonly Sequential last_layer;

    public HRNetHeadModule(FeatureInfo features, int outputChannels) : base(nameof(HRNetHeadModule))
    {
        int channels = features.TotalChannels;
        last_layer = Sequential(Conv2d(channels, channels, 1), BatchNorm2d(channels), ReLU(), Conv2d(channels, outputChannels, 1));
        RegisterComponents();
    }

    public override Tensor forward(FeatureMaps features) => last_layer.call(Resize.ConcatAtFinest(features));
}

/// <summary>DeepLab-v3's head (Chen et al. 2017) as the survey code's "deeplab" head, on the coarsest level: ASPP — 1x1,
/// three 3x3 atrous convs (rates 12/24/36) and image pooling, each conv-BN-ReLU to 256 channels —, concatenation,
/// 1x1 projection + BN + ReLU + dropout 0.5, 3x3 conv-BN-ReLU, 1x1 classifier. Children named 0-4 as torchvision's
/// DeepLabHeadModule (an nn.Sequential), so its state-dict keys equal it.</summary>
public sealed class DeepLabHeadModule : Module<FeatureMaps, Tensor>
{
    // Held in an array, not in fields, so that no parent's RegisterComponents registers them a second time by field name.
    private readonly Module<Tensor, Tensor>[] _layers;

    public DeepLabHeadModule(FeatureInfo features, int outputChannels, int channels = 256, IReadOnlyList<int>? rates = null) : base(nameof(DeepLabHeadModule))
    {
        _layers =
        [
            new Aspp(features.Coarsest.Channels, channels, rates ?? [12, 24, 36]),
            Conv2d(channels, channels, 3, padding: 1, bias: false),
            BatchNorm2d(channels),
            ReLU(),
            Conv2d(channels, outputChannels, 1),
        ];
        // Registered by position, as the reference's nn.Sequential names them.
        for (int i = 0; i < _layers.Length; i++) register_module($"{i}", _layers[i]);
    }

    public override Tensor forward(FeatureMaps features) => _layers.Aggregate(features.Coarsest, (x, layer) => layer.call(x));
}

/// <summary>Atrous spatial pyramid pooling (DeepLab-v3 §3.3): fields <c>convs</c> (1x1, one per rate, image pooling) and <c>project</c>.</summary>
public sealed class Aspp : Module<Tensor, Tensor>
{
    private readonly ModuleList<Module<Tensor, Tensor>> convs;
    private readonly Sequential project;

    public Aspp(int inChannels, int channels, IReadOnlyList<int> rates) : base(nameof(Aspp))
    {
        convs = new ModuleList<Module<Tensor, Tensor>>();
        convs.Add(Sequential(Conv2d(inChannels, channels, 1, bias: false), BatchNorm2d(channels), ReLU()));
        foreach (int rate in rates)
            convs.Add(Sequential(Conv2d(inChannels, channels, 3, padding: rate, dilation: rate, bias: false), BatchNorm2d(channels), ReLU()));
        // Image pooling: global average → 1x1 conv-BN-ReLU, resized back in forward. BN over 1x1 maps needs >= 2 images in
        // training, as in PyTorch.
        convs.Add(Sequential(AdaptiveAvgPool2d(1), Conv2d(inChannels, channels, 1, bias: false), BatchNorm2d(channels), ReLU()));
        project = Sequential(Conv2d((rates.Count + 2) * channels, channels, 1, bias: false), BatchNorm2d(channels), ReLU(), Dropout(0.5));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var branches = convs.Select(c => c.call(input)).ToArray();
        branches[^1] = Resize.To(branches[^1], input.shape[2], input.shape[3]);
        return project.call(cat(branches, 1));
    }
}

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

    public DeepLabV3PlusHeadModule(FeatureInfo features, int outputChannels, int channels, int lowLevelChannels, IReadOnlyList<int> rates)
        : base(nameof(DeepLabV3PlusHeadModule))
    {
        aspp = new Aspp(features.Coarsest.Channels, channels, rates);
        low_level = Sequential(Conv2d(features.Finest.Channels, lowLevelChannels, 1, bias: false), BatchNorm2d(lowLevelChannels), ReLU());
        decoder = Sequential(
            Conv2d(channels + lowLevelChannels, channels, 3, padding: 1, bias: false), BatchNorm2d(channels), ReLU(),
            Conv2d(channels, channels, 3, padding: 1, bias: false), BatchNorm2d(channels), ReLU());
        classifier = Conv2d(channels, outputChannels, 1);
        RegisterComponents();
    }

    public override Tensor forward(FeatureMaps features)
    {
        var low = low_level.call(features.Finest);
        var context = Resize.To(aspp.call(features.Coarsest), low.shape[2], low.shape[3]);
        return classifier.call(decoder.call(cat([context, low], 1)));
    }
}

/// <summary>MTI-Net's prediction head (§3.1, as the released code builds its per-scale heads): two torchvision basic
/// blocks — the first projecting to <c>channels</c> with a 1x1 conv-BN shortcut when the width changes — and a 1x1
/// classifier, here over all levels concatenated at the finest stride.</summary>
public sealed class ResidualBlocksHeadModule : Module<FeatureMaps, Tensor>
{
    private readonly Sequential blocks;
    private readonly Conv2d classifier;

    public ResidualBlocksHeadModule(FeatureInfo features, int outputChannels, int channels) : base(nameof(ResidualBlocksHeadModule))
    {
        int input = features.TotalChannels;
        blocks = Sequential(("0", new ResNetBasicBlock(input, channels, project: input != channels)), ("1", new ResNetBasicBlock(channels, channels)));
        classifier = Conv2d(channels, outputChannels, 1);
        RegisterComponents();
    }

    public override Tensor forward(FeatureMaps features) => classifier.call(blocks.call(Resize.ConcatAtFinest(features)));
}

/// <summary>UberNet's task heads (Kokkinos, CVPR 2017): a linear (1x1 conv) classifier on every level, the predictions
/// upsampled to the finest stride and summed. The lightest head: all capacity stays in the shared backbone.</summary>
public sealed class UberNetHeadModule : Module<FeatureMaps, Tensor>
{
    private readonly ModuleList<Conv2d> classifiers;

    public UberNetHeadModule(FeatureInfo features, int outputChannels) : base(nameof(UberNetHeadModule))
    {
        classifiers = new ModuleList<Conv2d>();
        foreach (var level in features.Levels) classifiers.Add(Conv2d(level.Channels, outputChannels, 1));
        RegisterComponents();
    }

    public override Tensor forward(FeatureMaps features)
    {
        var finest = features.Finest;
        return features.Select((map, i) => Resize.To(classifiers[i].call(map), finest.shape[2], finest.shape[3])).Aggregate((a, b) => a + b);
    }
}
