using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>Options of <see cref="ResNetModule"/>: torchvision's ResNet (He et al. 2016, v1.5 — the stride of a
/// bottleneck sits on its 3x3 conv) with the knobs the papers use.</summary>
/// <param name="Depth">18 or 34 (basic blocks); 26, 50, 101 or 152 (bottlenecks). ResNet-26 = bottlenecks [2, 2, 2, 2], ASTMT's small encoder.</param>
/// <param name="WidthMultiplier">Scales every conv's channels (64 → round(64·m)) for CPU tutorials; 1 is the papers' network.</param>
/// <param name="OutputStride">32 (plain), 16 (layer4 dilated by 2: ASTMT) or 8 (layer3/layer4 dilated by 2/4: DeepLab, the survey's dilated ResNet).</param>
/// <param name="MultiScale">Emit layer1..layer4 (strides 4, 8, 16, 32 before dilation); false emits layer4 only.</param>
/// <param name="IncludeClassifier">Add torchvision's ImageNet <c>fc</c> (used by <see cref="ResNetModule.Logits"/> only), so that
/// parameter counts and state dicts equal torchvision's.</param>
/// <param name="SqueezeExcitation">SE-ResNet as ASTMT: an SE block (reduction 16) after the last BN of every block, before the residual add.</param>
/// <param name="Classes">Outputs of the classifier.</param>
public sealed record ResNetOptions(
    int Depth = 18,
    double WidthMultiplier = 1.0,
    int OutputStride = 32,
    bool MultiScale = true,
    bool IncludeClassifier = false,
    bool SqueezeExcitation = false,
    int Classes = 1000)
{
    /// <summary>Blocks per stage of every supported depth (torchvision; ResNet-26 as ASTMT).</summary>
    public static IReadOnlyDictionary<int, (bool Bottleneck, int[] Blocks)> Depths { get; } = new Dictionary<int, (bool, int[])>
    {
        [18] = (false, [2, 2, 2, 2]),
        [26] = (true, [2, 2, 2, 2]),
        [34] = (false, [3, 4, 6, 3]),
        [50] = (true, [3, 4, 6, 3]),
        [101] = (true, [3, 4, 23, 3]),
        [152] = (true, [3, 8, 36, 3]),
    };

    public bool Bottleneck => Depths[Depth].Bottleneck;
    public IReadOnlyList<int> Blocks => Depths[Depth].Blocks;
    public int Expansion => Bottleneck ? 4 : 1;

    /// <summary>round(channels · multiplier), at least 1.</summary>
    public int Scale(int channels) => Math.Max(1, (int)Math.Round(channels * WidthMultiplier, MidpointRounding.AwayFromZero));

    /// <summary>Dilation of layer1..layer4: torchvision's <c>replace_stride_with_dilation</c>.</summary>
    public IReadOnlyList<bool> DilateStage => OutputStride switch
    {
        8 => [false, false, true, true],
        16 => [false, false, false, true],
        _ => [false, false, false, false],
    };

    public IEnumerable<string> Validate(string caller)
    {
        if (!Depths.ContainsKey(Depth)) yield return $"{caller}: depth must be one of {string.Join(", ", Depths.Keys)}, got {Depth}.";
        if (!(WidthMultiplier > 0) || double.IsInfinity(WidthMultiplier)) yield return $"{caller}: widthMultiplier must be > 0, got {WidthMultiplier}.";
        if (OutputStride is not (8 or 16 or 32)) yield return $"{caller}: outputStride must be 8, 16 or 32, got {OutputStride}.";
        if (Classes < 1) yield return $"{caller}: classes must be >= 1, got {Classes}.";
    }

    /// <summary>The levels, known before any module exists: layerN has 64·2^(N-1)·expansion·m channels; its stride
    /// doubles per stage until the output stride is reached (dilation takes over from there).</summary>
    public FeatureInfo Features
    {
        get
        {
            var levels = new List<FeatureLevel>();
            int stride = 4;
            for (int stage = 0; stage < 4; stage++)
            {
                if (stage > 0 && !DilateStage[stage]) stride *= 2;
                levels.Add(new FeatureLevel($"layer{stage + 1}", Scale(64 << stage) * Expansion, stride));
            }
            return new FeatureInfo(MultiScale ? levels : [levels[^1]]);
        }
    }
}

/// <summary>torchvision's ResNet, field for field (conv1, bn1, relu, maxpool, layer1..layer4, fc), so its state-dict keys
/// equal torchvision's and PyTorch weights load by name. Emits the layer outputs as <see cref="FeatureMaps"/>.</summary>
public sealed class ResNetModule : Backbone, IStagedBackboneModule
{
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
