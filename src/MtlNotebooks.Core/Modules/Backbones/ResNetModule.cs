using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>torchvision's ResNet, field for field (conv1, bn1, relu, maxpool, layer1..layer4, fc), so its state-dict keys
/// equal torchvision's and PyTorch weights load by name. Emits the layer outputs as <see cref="FeatureMaps"/>. With SE
/// blocks, the ASTMT code's ImageNet SE-ResNet files load too, under its names (<see cref="ReferenceKeys"/>).</summary>
public sealed class ResNetModule : Backbone, IStagedBackboneModule, MtlNotebooks.Weights.IReferenceKeys
{
    private static readonly Lazy<MtlNotebooks.Weights.KeyMap> KeyNames =
        new(() => MtlNotebooks.Weights.KeyMap.Load("astmt-se-resnet", "the ASTMT code's classification SE-ResNet"));

    /// <summary>The ASTMT code's SE-ResNet names (its SE block's layers are fc.0 and fc.2); other keys are torchvision's as they are.</summary>
    public MtlNotebooks.Weights.KeyMap ReferenceKeys => KeyNames.Value;

    private readonly Conv2d conv1;
    private readonly ScalarSafeBatchNorm2d bn1;
    private readonly ReLU relu;
    private readonly MaxPool2d maxpool;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly AdaptiveAvgPool2d? avgpool;
    private readonly Linear? fc;
    private readonly FeatureInfo _features;
    private readonly bool _multiScale;
    private readonly FeatureInfo _stageLevels;

    public ResNetModule(ResNetOptions options) : base($"ResNet-{options.Depth}")
    {
        var problems = options.Validate("ResNet").ToArray();
        if (problems.Length > 0) throw new ArgumentException(string.Join(" ", problems), nameof(options));
        _features = options.Features;
        _multiScale = options.MultiScale;
        _stageLevels = (options with { MultiScale = true }).Features;
        int inplanes = options.Scale(64);
        conv1 = Ops.Conv2d(3, inplanes, 7, stride: 2, padding: 3, bias: false);
        bn1 = Ops.BatchNorm2d(inplanes);
        relu = ReLU(inplace: true);
        maxpool = MaxPool2d(3, stride: 2, padding: 1);
        int dilation = 1;
        var layers = new Sequential[4];
        for (int stage = 0; stage < 4; stage++)
        {
            int planes = options.Scale(64 << stage);
            int stride = stage == 0 ? 1 : 2;
            int previousDilation = dilation;
            if (options.DilateStage[stage])
            {
                dilation *= stride;
                stride = 1;
            }
            int outChannels = planes * options.Expansion;
            var blocks = new List<(string, Module<Tensor, Tensor>)>();
            for (int b = 0; b < options.Blocks[stage]; b++)
            {
                int blockIn = b == 0 ? inplanes : outChannels;
                int blockStride = b == 0 ? stride : 1;
                int blockDilation = b == 0 ? previousDilation : dilation;
                bool project = b == 0 && (stride != 1 || inplanes != outChannels);
                blocks.Add(($"{b}", options.Bottleneck
                    ? new ResNetBottleneck(blockIn, planes, blockStride, blockDilation, project, options.SqueezeExcitation)
                    : new ResNetBasicBlock(blockIn, planes, blockStride, blockDilation, project, options.SqueezeExcitation)));
            }
            layers[stage] = Sequential(blocks);
            inplanes = outChannels;
        }
        (layer1, layer2, layer3, layer4) = (layers[0], layers[1], layers[2], layers[3]);
        if (options.IncludeClassifier)
        {
            avgpool = AdaptiveAvgPool2d(1);
            fc = Linear(inplanes, options.Classes);
        }
        RegisterComponents();
        InitializeAsTorchVision(this);
    }

    public override FeatureInfo Features => _features;

    public BackboneStages Stages => new(x => maxpool.call(relu.call(bn1.call(conv1.call(x)))), (int)conv1.weight.shape[0],
        new[] { layer1, layer2, layer3, layer4 }.Select(l => l.children().Cast<Module<Tensor, Tensor>>().ToArray()).ToArray(), _stageLevels);

    public override FeatureMaps forward(Tensor input)
    {
        var x = maxpool.call(relu.call(bn1.call(conv1.call(input))));
        var c1 = layer1.call(x);
        var c2 = layer2.call(c1);
        var c3 = layer3.call(c2);
        var c4 = layer4.call(c3);
        return new FeatureMaps(_multiScale ? [c1, c2, c3, c4] : [c4]);
    }

    /// <summary>ImageNet logits [B, classes]: global average pool of layer4, then <c>fc</c>. Needs <see cref="ResNetOptions.IncludeClassifier"/>.</summary>
    public Tensor Logits(Tensor input)
    {
        if (fc is null || avgpool is null)
            throw new InvalidOperationException($"{GetName()} was built without its classifier: set ResNetOptions.IncludeClassifier.");
        var coarsest = forward(input).Coarsest;
        return fc.call(avgpool.call(coarsest).flatten(1));
    }

    /// <summary>torchvision's initialisation: Kaiming-normal (fan-out, ReLU) convs, BN weight 1 and bias 0; Linear keeps its default.</summary>
    internal static void InitializeAsTorchVision(Module module)
    {
        using var _ = no_grad();
        foreach (var (_, child) in module.named_modules())
        {
            switch (child)
            {
                case Conv2d conv:
                    init.kaiming_normal_(conv.weight, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
                    break;
                case ScalarSafeBatchNorm2d bn:
                    init.ones_(bn.weight);
                    init.zeros_(bn.bias);
                    break;
            }
        }
    }
}
