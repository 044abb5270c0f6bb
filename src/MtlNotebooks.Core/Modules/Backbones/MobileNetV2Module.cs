using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>Options of <see cref="MobileNetV2Module"/> (Sandler et al. 2018, torchvision's layout).</summary>
/// <param name="WidthMultiplier">torchvision's <c>width_mult</c>: channels scaled and rounded to multiples of 8.</param>
/// <param name="MultiScale">Emit the maps at strides 4, 8, 16 and 32; false emits the last one only.</param>
/// <param name="IncludeLastConv">Keep the final 1x1 conv to 1280 channels (features.18); ASTMT's MobileNet encoder drops it.</param>
/// <param name="IncludeClassifier">Add torchvision's classifier (dropout + Linear), so that parameter counts and state dicts equal torchvision's.</param>
/// <param name="Classes">Outputs of the classifier.</param>
public sealed record MobileNetV2Options(double WidthMultiplier = 1.0, bool MultiScale = true, bool IncludeLastConv = true,
    bool IncludeClassifier = false, int Classes = 1000)
{
    /// <summary>Expansion t, channels c, repeats n, stride s of each bottleneck sequence (the paper's Table 2).</summary>
    public static IReadOnlyList<(int T, int C, int N, int S)> Settings { get; } =
        [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)];

    /// <summary>Indices into <c>features</c> after which the map has stride 4, 8, 16 (the last block before each stride-2 block).</summary>
    internal static readonly int[] TapIndices = [3, 6, 13];

    /// <summary>torchvision's <c>_make_divisible</c>: nearest multiple of 8, at least 8, never more than 10% below.</summary>
    public static int MakeDivisible(double value, int divisor = 8)
    {
        int rounded = Math.Max(divisor, (int)(value + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * value ? rounded + divisor : rounded;
    }

    public int StemChannels => MakeDivisible(32 * WidthMultiplier);
    public int LastChannels => MakeDivisible(1280 * Math.Max(1.0, WidthMultiplier));

    public FeatureInfo Features
    {
        get
        {
            int last = IncludeLastConv ? LastChannels : MakeDivisible(320 * WidthMultiplier);
            var levels = new[]
            {
                new FeatureLevel("features.3", MakeDivisible(24 * WidthMultiplier), 4),
                new FeatureLevel("features.6", MakeDivisible(32 * WidthMultiplier), 8),
                new FeatureLevel("features.13", MakeDivisible(96 * WidthMultiplier), 16),
                new FeatureLevel(IncludeLastConv ? "features.18" : "features.17", last, 32),
            };
            return new FeatureInfo(MultiScale ? levels : [levels[^1]]);
        }
    }

    public IEnumerable<string> Validate(string caller)
    {
        if (!(WidthMultiplier > 0) || double.IsInfinity(WidthMultiplier)) yield return $"{caller}: widthMultiplier must be > 0, got {WidthMultiplier}.";
        if (Classes < 1) yield return $"{caller}: classes must be >= 1, got {Classes}.";
    }
}

/// <summary>torchvision's MobileNet-V2, field for field (<c>features.N…</c>, <c>classifier.1</c>), emitting multi-scale maps.</summary>
public sealed class MobileNetV2Module : Backbone, IStagedBackboneModule
{
    private readonly ModuleList<Module<Tensor, Tensor>> features;
    private readonly Sequential? classifier;
    private readonly FeatureInfo _features;
    private readonly bool _multiScale;
    private readonly FeatureInfo _stageLevels;

    public MobileNetV2Module(MobileNetV2Options options) : base("MobileNetV2")
    {
        var problems = options.Validate("MobileNetV2").ToArray();
        if (problems.Length > 0) throw new ArgumentException(string.Join(" ", problems), nameof(options));
        _features = options.Features;
        _multiScale = options.MultiScale;
        _stageLevels = (options with { MultiScale = true }).Features;
        features = new ModuleList<Module<Tensor, Tensor>>();
        int input = options.StemChannels;
        features.Add(ConvBnReLU6(3, input, 3, 2));
        foreach (var (t, c, n, s) in MobileNetV2Options.Settings)
        {
            int output = MobileNetV2Options.MakeDivisible(c * options.WidthMultiplier);
            for (int i = 0; i < n; i++)
            {
                features.Add(new InvertedResidual(input, output, i == 0 ? s : 1, t));
                input = output;
            }
        }
        if (options.IncludeLastConv)
        {
            features.Add(ConvBnReLU6(input, options.LastChannels, 1));
            input = options.LastChannels;
        }
        Linear? linear = options.IncludeClassifier ? Linear(input, options.Classes) : null;
        if (linear is not null) classifier = Sequential(Dropout(0.2), linear);
        RegisterComponents();
        ResNetModule.InitializeAsTorchVision(this);
        if (linear is not null)
        {
            using var _ = no_grad();
            init.normal_(linear.weight, 0, 0.01);
            init.zeros_(linear.bias);
        }
    }

    public override FeatureInfo Features => _features;

    /// <summary>Stem <c>features.0</c>; the stages end at the taps (3, 6, 13) and at the last layer.</summary>
    public BackboneStages Stages
    {
        get
        {
            int[] ends = [.. MobileNetV2Options.TapIndices, features.Count - 1];
            var blocks = ends.Select((end, s) => Enumerable.Range(s == 0 ? 1 : ends[s - 1] + 1, end - (s == 0 ? 0 : ends[s - 1]))
                .Select(i => features[i]).ToArray()).ToArray();
            return new(features[0].call, (int)((Sequential)features[0]).children().OfType<Conv2d>().First().weight.shape[0], blocks, _stageLevels);
        }
    }

    public override FeatureMaps forward(Tensor input)
    {
        var maps = new List<Tensor>(4);
        var x = input;
        for (int i = 0; i < features.Count; i++)
        {
            x = features[i].call(x);
            if (_multiScale && MobileNetV2Options.TapIndices.Contains(i)) maps.Add(x);
        }
        maps.Add(x);
        return new FeatureMaps(maps);
    }

    /// <summary>ImageNet logits: global average pool of the last map, then the classifier.</summary>
    public Tensor Logits(Tensor input)
    {
        if (classifier is null)
            throw new InvalidOperationException("MobileNetV2 was built without its classifier: set MobileNetV2Options.IncludeClassifier.");
        return classifier.call(forward(input).Coarsest.mean([2, 3]));
    }

    /// <summary>torchvision's Conv2dNormActivation: conv (no bias, padding k/2) → BN → ReLU6, children 0, 1, 2.</summary>
    internal static Sequential ConvBnReLU6(int inChannels, int outChannels, int kernel, int stride = 1, int groups = 1) =>
        Sequential(Ops.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: kernel / 2, groups: groups, bias: false),
            Ops.BatchNorm2d(outChannels), ReLU6());
}

/// <summary>MobileNet-V2's inverted residual: 1x1 expansion (t ≠ 1), 3x3 depthwise, 1x1 linear projection + BN; identity
/// shortcut when stride 1 and channels equal. Field <c>conv</c> as torchvision.</summary>
public sealed class InvertedResidual : Module<Tensor, Tensor>
{
    private readonly Sequential conv;
    private readonly bool _residual;

    public InvertedResidual(int inChannels, int outChannels, int stride, int expansion) : base(nameof(InvertedResidual))
    {
        int hidden = (int)Math.Round((double)inChannels * expansion, MidpointRounding.ToEven);
        _residual = stride == 1 && inChannels == outChannels;
        var layers = new List<Module<Tensor, Tensor>>();
        if (expansion != 1) layers.Add(MobileNetV2Module.ConvBnReLU6(inChannels, hidden, 1));
        layers.Add(MobileNetV2Module.ConvBnReLU6(hidden, hidden, 3, stride, groups: hidden));
        layers.Add(Ops.Conv2d(hidden, outChannels, 1, bias: false));
        layers.Add(Ops.BatchNorm2d(outChannels));
        conv = Sequential(layers);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => _residual ? input + conv.call(input) : conv.call(input);
}
