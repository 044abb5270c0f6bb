using MtlNotebooks.Modules.Backbones;

namespace MtlNotebooks;

/// <summary>Backbone factory: the front door for every encoder the builder can use.</summary>
public static class Backbones
{
    /// <summary>A narrow multi-scale ResNet with basic blocks (strides 4, 8, 16, 32; channels width·1, 2, 4, 8)
    /// that trains in minutes on a CPU: the backbone of the quick run and the tutorials.</summary>
    public static SmallResNet SmallResNet(int width = 16, params int[] blocks) =>
        new(width, blocks.Length == 0 ? [1, 1, 1, 1] : blocks);

    /// <summary>torchvision's ResNet-18 (basic blocks [2, 2, 2, 2]); 11,689,512 parameters with the ImageNet classifier.</summary>
    /// <param name="widthMultiplier">Scales every layer's channels (1 = the papers' network; 0.125 trains on a CPU in minutes).</param>
    /// <param name="outputStride">32, 16 (layer4 dilated) or 8 (layer3 and layer4 dilated: the survey's dilated ResNet).</param>
    /// <param name="multiScale">Emit layer1..layer4; false emits layer4 only.</param>
    /// <param name="includeClassifier">Keep the ImageNet <c>fc</c> (state dict and parameter count equal torchvision's).</param>
    /// <param name="weights">A state dict exported from PyTorch (tools/export_state_dict.py), loaded by name when the module is created.</param>
    public static ResNet ResNet18(double widthMultiplier = 1, int outputStride = 32, bool multiScale = true, bool includeClassifier = false, string? weights = null) =>
        ResNet(new ResNetOptions(18, widthMultiplier, outputStride, multiScale, includeClassifier), weights);

    /// <summary>torchvision's ResNet-34 (basic blocks [3, 4, 6, 3]); 21,797,672 parameters with the classifier. Options as <see cref="ResNet18"/>.</summary>
    public static ResNet ResNet34(double widthMultiplier = 1, int outputStride = 32, bool multiScale = true, bool includeClassifier = false, string? weights = null) =>
        ResNet(new ResNetOptions(34, widthMultiplier, outputStride, multiScale, includeClassifier), weights);

    /// <summary>ResNet-26: bottlenecks [2, 2, 2, 2], ASTMT's smallest encoder. Options as <see cref="ResNet18"/>.</summary>
    public static ResNet ResNet26(double widthMultiplier = 1, int outputStride = 32, bool multiScale = true, bool includeClassifier = false, string? weights = null) =>
        ResNet(new ResNetOptions(26, widthMultiplier, outputStride, multiScale, includeClassifier), weights);

    /// <summary>torchvision's ResNet-50 (bottlenecks [3, 4, 6, 3]); 25,557,032 parameters with the classifier. Options as <see cref="ResNet18"/>.</summary>
    public static ResNet ResNet50(double widthMultiplier = 1, int outputStride = 32, bool multiScale = true, bool includeClassifier = false, string? weights = null) =>
        ResNet(new ResNetOptions(50, widthMultiplier, outputStride, multiScale, includeClassifier), weights);

    /// <summary>torchvision's ResNet-101 (bottlenecks [3, 4, 23, 3]); 44,549,160 parameters with the classifier. Options as <see cref="ResNet18"/>.</summary>
    public static ResNet ResNet101(double widthMultiplier = 1, int outputStride = 32, bool multiScale = true, bool includeClassifier = false, string? weights = null) =>
        ResNet(new ResNetOptions(101, widthMultiplier, outputStride, multiScale, includeClassifier), weights);

    /// <summary>ASTMT's SE-ResNet-26: bottlenecks [2, 2, 2, 2] with an SE block (reduction 16) before every residual add; output stride 16 as ASTMT.</summary>
    public static ResNet SEResNet26(double widthMultiplier = 1, int outputStride = 16, bool multiScale = true, bool includeClassifier = false, string? weights = null) =>
        ResNet(new ResNetOptions(26, widthMultiplier, outputStride, multiScale, includeClassifier, SqueezeExcitation: true), weights);

    /// <summary>ASTMT's SE-ResNet-50 (bottlenecks [3, 4, 6, 3] + SE); output stride 16 as ASTMT.</summary>
    public static ResNet SEResNet50(double widthMultiplier = 1, int outputStride = 16, bool multiScale = true, bool includeClassifier = false, string? weights = null) =>
        ResNet(new ResNetOptions(50, widthMultiplier, outputStride, multiScale, includeClassifier, SqueezeExcitation: true), weights);

    /// <summary>ASTMT's SE-ResNet-101 (bottlenecks [3, 4, 23, 3] + SE); output stride 16 as ASTMT.</summary>
    public static ResNet SEResNet101(double widthMultiplier = 1, int outputStride = 16, bool multiScale = true, bool includeClassifier = false, string? weights = null) =>
        ResNet(new ResNetOptions(101, widthMultiplier, outputStride, multiScale, includeClassifier, SqueezeExcitation: true), weights);

    /// <summary>torchvision's MobileNet-V2 (3,504,872 parameters with the classifier at width 1); maps at strides 4, 8, 16, 32.</summary>
    /// <param name="widthMultiplier">torchvision's width_mult (channels rounded to multiples of 8).</param>
    /// <param name="multiScale">Emit four levels; false emits the last map only.</param>
    /// <param name="includeLastConv">Keep the final 1x1 conv to 1280 channels (ASTMT's encoder drops it).</param>
    /// <param name="includeClassifier">Keep the ImageNet classifier.</param>
    /// <param name="weights">A state dict exported from PyTorch, loaded by name when the module is created.</param>
    public static MobileNetV2 MobileNetV2(double widthMultiplier = 1, bool multiScale = true, bool includeLastConv = true, bool includeClassifier = false, string? weights = null) =>
        new(new MobileNetV2Options(widthMultiplier, multiScale, includeLastConv, includeClassifier), weights);

    /// <summary>MTI-Net's and the survey's "HRNet-18" = HRNetV2-W18-Small-v2: four maps at strides 4, 8, 16, 32 with
    /// 18·m, 36·m, 72·m, 144·m channels; 3,860,720 parameters at width 1 (the survey code's HighResolutionNet).</summary>
    /// <param name="widthMultiplier">Scales every layer's channels (1 = the papers' network).</param>
    /// <param name="weights">A state dict exported from PyTorch, loaded by name when the module is created.</param>
    public static HRNet HRNetW18Small(double widthMultiplier = 1, string? weights = null) => new(HRNetOptions.W18SmallV2(widthMultiplier), weights);

    /// <summary>Full HRNetV2-W18 (4 blocks per branch, modules 1/4/3).</summary>
    public static HRNet HRNetW18(double widthMultiplier = 1, string? weights = null) => new(HRNetOptions.W18(widthMultiplier), weights);

    /// <summary>HRNetV2-W48 (channels 48/96/192/384).</summary>
    public static HRNet HRNetW48(double widthMultiplier = 1, string? weights = null) => new(HRNetOptions.W48(widthMultiplier), weights);

    /// <summary>A feature pyramid network (Lin et al. 2017) over <paramref name="bottomUp"/>'s levels: every level leaves with
    /// <paramref name="channels"/> channels at its stride. The layout and state-dict names of torchvision's
    /// <c>BackboneWithFPN</c> (<c>body.</c>, <c>fpn.</c>) without the extra pooled level.</summary>
    /// <param name="bottomUp">A multi-scale backbone with strictly increasing strides (e.g. <see cref="ResNet50"/>); its own
    /// weights, if any, load first.</param>
    /// <param name="channels">Width of every pyramid level (256 in the FPN paper and in MTI-Net).</param>
    /// <param name="weights">A state dict of the whole network (body and FPN), exported from PyTorch.</param>
    public static Fpn Fpn(IBackbone bottomUp, int channels = 256, string? weights = null) => new(bottomUp, channels, weights);

    /// <summary>MTI-Net's R18-FPN: <see cref="ResNet18"/> with a feature pyramid of 256·<paramref name="widthMultiplier"/> channels.</summary>
    public static Fpn ResNet18Fpn(double widthMultiplier = 1, string? weights = null) =>
        Fpn(ResNet18(widthMultiplier), PyramidWidth(widthMultiplier), weights);

    /// <summary>MTI-Net's R50-FPN (its PASCAL-Context backbone, Table 7b): <see cref="ResNet50"/> with a feature pyramid of
    /// 256·<paramref name="widthMultiplier"/> channels.</summary>
    public static Fpn ResNet50Fpn(double widthMultiplier = 1, string? weights = null) =>
        Fpn(ResNet50(widthMultiplier), PyramidWidth(widthMultiplier), weights);

    private static int PyramidWidth(double widthMultiplier) => Math.Max(1, (int)Math.Round(256 * widthMultiplier, MidpointRounding.AwayFromZero));

    /// <summary>Any torchvision-structured ResNet from its options.</summary>
    public static ResNet ResNet(ResNetOptions config, string? weights = null) => new(config, weights);

    /// <summary>Every backbone by name, each a narrow variant that runs at 64×64 in a test or a CPU tutorial
    /// (the papers' widths are the factory methods' defaults).</summary>
    public static IReadOnlyDictionary<string, IBackbone> All { get; } = new Dictionary<string, IBackbone>
    {
        ["small-resnet"] = SmallResNet(8),
        ["resnet18"] = ResNet18(0.125),
        ["resnet18-dilated"] = ResNet18(0.125, outputStride: 8),
        ["resnet26"] = ResNet26(0.125),
        ["resnet34"] = ResNet34(0.125),
        ["resnet50"] = ResNet50(0.125),
        ["resnet50-dilated"] = ResNet50(0.125, outputStride: 8),
        ["resnet101"] = ResNet101(0.125),
        ["se-resnet26"] = SEResNet26(0.125),
        ["se-resnet50"] = SEResNet50(0.125),
        ["se-resnet101"] = SEResNet101(0.125),
        ["mobilenet-v2"] = MobileNetV2(0.25),
        ["hrnet-w18-small"] = HRNetW18Small(0.5),
        ["hrnet-w18"] = HRNetW18(0.25),
        ["hrnet-w48"] = HRNetW48(0.125),
        ["resnet18-fpn"] = ResNet18Fpn(0.125),
        ["resnet50-fpn"] = ResNet50Fpn(0.125),
    };

    /// <summary>The entry of <see cref="All"/> called <paramref name="name"/>, or an error listing the names.</summary>
    public static IBackbone FromName(string name) =>
        All.TryGetValue(name, out var backbone)
            ? backbone
            : throw new ArgumentException($"Unknown backbone '{name}'. Known: {string.Join(", ", All.Keys)}.", nameof(name));
}

/// <summary>Spec of <see cref="SmallResNetModule"/> with basic blocks.</summary>
public sealed record SmallResNet(int Width, IReadOnlyList<int> Blocks) : IBackbone
{
    public string Name => $"SmallResNet(width {Width}, blocks [{string.Join(", ", Blocks)}])";

    public FeatureInfo Features => Options.Features;

    private SmallResNetOptions Options => new(Width, Blocks);

    public IEnumerable<string> Validate()
    {
        if (Width < 1) yield return $"UseBackbone({nameof(SmallResNet)}): width must be >= 1, got {Width}.";
        if (Blocks.Count == 0) yield return $"UseBackbone({nameof(SmallResNet)}): needs at least one stage.";
        if (Blocks.Any(b => b < 1)) yield return $"UseBackbone({nameof(SmallResNet)}): every stage needs >= 1 block, got [{string.Join(", ", Blocks)}].";
    }

    public Backbone Create() => new SmallResNetModule(Options);
}

/// <summary>Spec of <see cref="ResNetModule"/>: torchvision's ResNet structure and state-dict names, optionally
/// dilated, narrowed or with ASTMT's SE blocks; <paramref name="Weights"/> (a TorchSharp state-dict file) is loaded on creation.</summary>
public sealed record ResNet(ResNetOptions Config, string? Weights = null) : IBackbone
{
    public string Name
    {
        get
        {
            var details = new List<string>();
            if (Config.WidthMultiplier != 1) details.Add($"width ×{Config.WidthMultiplier:0.###}");
            if (Config.OutputStride != 32) details.Add($"output stride {Config.OutputStride}");
            if (!Config.MultiScale) details.Add("layer4 only");
            if (Weights is not null) details.Add($"weights {Path.GetFileName(Weights)}");
            string name = $"{(Config.SqueezeExcitation ? "SE-" : "")}ResNet-{Config.Depth}";
            return details.Count == 0 ? name : $"{name} ({string.Join(", ", details)})";
        }
    }

    public FeatureInfo Features => Config.Features;

    public IEnumerable<string> Validate()
    {
        string caller = $"UseBackbone({(Config.SqueezeExcitation ? "SE" : "")}ResNet{Config.Depth})";
        foreach (var problem in Config.Validate(caller)) yield return problem;
        foreach (var problem in PretrainedWeights.Validate(Weights, caller)) yield return problem;
    }

    public Backbone Create() => PretrainedWeights.LoadInto(new ResNetModule(Config), Weights, Name);
}

/// <summary>Spec of <see cref="MobileNetV2Module"/>: torchvision's structure and state-dict names; <paramref name="Weights"/> is loaded on creation.</summary>
public sealed record MobileNetV2(MobileNetV2Options Config, string? Weights = null) : IBackbone
{
    public string Name => Config.WidthMultiplier == 1 && Weights is null
        ? "MobileNet-V2"
        : $"MobileNet-V2 (width ×{Config.WidthMultiplier:0.###}{(Weights is null ? "" : $", weights {Path.GetFileName(Weights)}")})";

    public FeatureInfo Features => Config.Features;

    public IEnumerable<string> Validate()
    {
        foreach (var problem in Config.Validate("UseBackbone(MobileNetV2)")) yield return problem;
        foreach (var problem in PretrainedWeights.Validate(Weights, "UseBackbone(MobileNetV2)")) yield return problem;
    }

    public Backbone Create() => PretrainedWeights.LoadInto(new MobileNetV2Module(Config), Weights, Name);
}

/// <summary>Spec of <see cref="FpnModule"/>: a feature pyramid over <paramref name="BottomUp"/>; <paramref name="Weights"/>
/// (body and FPN) is loaded on creation, after the bottom-up backbone's own weights.</summary>
public sealed record Fpn(IBackbone BottomUp, int Channels = 256, string? Weights = null) : IBackbone
{
    public string Name => $"{BottomUp.Name} + FPN ({Channels} ch{(Weights is null ? "" : $", weights {Path.GetFileName(Weights)}")})";

    public FeatureInfo Features => FpnModule.FpnFeatures(BottomUp.Features, Channels);

    public IEnumerable<string> Validate()
    {
        const string caller = "UseBackbone(Fpn)";
        var problems = BottomUp.Validate().ToArray();
        foreach (var problem in problems) yield return problem;
        if (problems.Length > 0) yield break;
        if (Channels < 1) yield return $"{caller}: channels must be >= 1, got {Channels}.";
        var levels = BottomUp.Features.Levels;
        if (levels.Count < 2)
            yield return $"{caller}: a pyramid needs a multi-scale bottom-up backbone; '{BottomUp.Name}' emits one level ({BottomUp.Features}). " +
                         "Build it with multiScale: true.";
        else if (levels.Zip(levels.Skip(1)).Any(p => p.Second.Stride <= p.First.Stride))
            yield return $"{caller}: the bottom-up levels must get coarser one after another, but '{BottomUp.Name}' has strides " +
                         $"{string.Join(", ", levels.Select(l => l.Stride))}. Use an undilated backbone (outputStride: 32).";
        foreach (var problem in PretrainedWeights.Validate(Weights, caller)) yield return problem;
    }

    public Backbone Create()
    {
        var body = BottomUp.Create();
        try
        {
            return PretrainedWeights.LoadInto(new FpnModule(body, Channels), Weights, Name);
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }
}

/// <summary>Spec of <see cref="HRNetModule"/>: the survey code's HRNet, field names equal to its state-dict keys;
/// <paramref name="Weights"/> is loaded on creation.</summary>
public sealed record HRNet(HRNetOptions Config, string? Weights = null) : IBackbone
{
    public string Name => $"HRNet-W{Config.Width} (stage 1 {Config.Stage1Blocks} blocks, modules {string.Join("/", Config.StageModules)}, " +
                          $"{Config.BlocksPerBranch} blocks per branch{(Weights is null ? "" : $", weights {Path.GetFileName(Weights)}")})";

    public FeatureInfo Features => Config.Features;

    public IEnumerable<string> Validate()
    {
        foreach (var problem in Config.Validate("UseBackbone(HRNet)")) yield return problem;
        foreach (var problem in PretrainedWeights.Validate(Weights, "UseBackbone(HRNet)")) yield return problem;
    }

    public Backbone Create() => PretrainedWeights.LoadInto(new HRNetModule(Config), Weights, Name);
}
