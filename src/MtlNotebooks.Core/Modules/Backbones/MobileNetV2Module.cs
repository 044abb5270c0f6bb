using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Backbones;

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
