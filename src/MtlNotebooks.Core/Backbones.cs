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
    /// <param name="weights">A state-dict file (torch.save .pth or checkpoint, .safetensors, TorchSharp's .dat), loaded by name when the module is created.</param>
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
    /// <param name="weights">A state-dict file in any format StateDictFile reads (a torch.save .pth, .safetensors, …), loaded by name when the module is created.</param>
    public static MobileNetV2 MobileNetV2(double widthMultiplier = 1, bool multiScale = true, bool includeLastConv = true, bool includeClassifier = false, string? weights = null) =>
        new(new MobileNetV2Options(widthMultiplier, multiScale, includeLastConv, includeClassifier), weights);

    /// <summary>MTI-Net's and the survey's "HRNet-18" = HRNetV2-W18-Small-v2: four maps at strides 4, 8, 16, 32 with
    /// 18·m, 36·m, 72·m, 144·m channels; 3,860,720 parameters at width 1 (the survey code's HighResolutionNet).</summary>
    /// <param name="widthMultiplier">Scales every layer's channels (1 = the papers' network).</param>
    /// <param name="weights">A state-dict file in any format StateDictFile reads (a torch.save .pth, .safetensors, …), loaded by name when the module is created.</param>
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
    /// <param name="weights">A state-dict file of the whole network (body and FPN), e.g. torchvision's resnet_fpn_backbone saved with torch.save.</param>
    public static Fpn Fpn(IBackbone bottomUp, int channels = 256, string? weights = null) => new(bottomUp, channels, weights);

    /// <summary>MTI-Net's R18-FPN: <see cref="ResNet18"/> with a feature pyramid of 256·<paramref name="widthMultiplier"/> channels.</summary>
    public static Fpn ResNet18Fpn(double widthMultiplier = 1, string? weights = null) =>
        Fpn(ResNet18(widthMultiplier), PyramidWidth(widthMultiplier), weights);

    /// <summary>MTI-Net's R50-FPN (its PASCAL-Context backbone, Table 7b): <see cref="ResNet50"/> with a feature pyramid of
    /// 256·<paramref name="widthMultiplier"/> channels.</summary>
    public static Fpn ResNet50Fpn(double widthMultiplier = 1, string? weights = null) =>
        Fpn(ResNet50(widthMultiplier), PyramidWidth(widthMultiplier), weights);

    private static int PyramidWidth(double widthMultiplier) => Math.Max(1, (int)Math.Round(256 * widthMultiplier, MidpointRounding.AwayFromZero));

    /// <summary>ViT-Tiny/16 as timm's <c>vit_tiny_patch16_224</c>: 192 wide, 12 blocks, 3 heads; levels after blocks 3, 6, 9 and
    /// the normed output. <paramref name="widthMultiplier"/> scales every head's width (64 in all four sizes), keeping the heads. <paramref name="imageHeight"/> × <paramref name="imageWidth"/> (square when the width is left out)
    /// is the size the position embedding is made for; <paramref name="pyramid"/> resamples the levels to four strides.</summary>
    public static VisionTransformer VitTiny(int imageHeight = 224, int? imageWidth = null, int patchSize = 16, bool pyramid = false, double widthMultiplier = 1, string? weights = null) =>
        Vit(3, 12, imageHeight, imageWidth, patchSize, pyramid, widthMultiplier, weights);

    /// <summary>ViT-Small/16 as timm's <c>vit_small_patch16_224</c>: 384 wide, 12 blocks, 6 heads.</summary>
    public static VisionTransformer VitSmall(int imageHeight = 224, int? imageWidth = null, int patchSize = 16, bool pyramid = false, double widthMultiplier = 1, string? weights = null) =>
        Vit(6, 12, imageHeight, imageWidth, patchSize, pyramid, widthMultiplier, weights);

    /// <summary>ViT-Base/16 as timm's <c>vit_base_patch16_384</c>, the TaskPrompter ViT-B encoder: 768 wide, 12 blocks,
    /// 12 heads; levels after blocks 3, 6, 9 and the normed output.</summary>
    public static VisionTransformer VitBase(int imageHeight = 384, int? imageWidth = null, int patchSize = 16, bool pyramid = false, double widthMultiplier = 1, string? weights = null) =>
        Vit(12, 12, imageHeight, imageWidth, patchSize, pyramid, widthMultiplier, weights);

    /// <summary>ViT-Large/16 as timm's <c>vit_large_patch16_384</c>, the InvPT and TaskPrompter ViT-L encoder: 1024 wide,
    /// 24 blocks, 16 heads; levels after blocks 6, 12, 18 and the normed output.</summary>
    public static VisionTransformer VitLarge(int imageHeight = 384, int? imageWidth = null, int patchSize = 16, bool pyramid = false, double widthMultiplier = 1, string? weights = null) =>
        Vit(16, 24, imageHeight, imageWidth, patchSize, pyramid, widthMultiplier, weights);

    /// <summary>timm's sizes: heads of 64 channels (scaled by <paramref name="widthMultiplier"/>).</summary>
    private static VisionTransformer Vit(int heads, int depth, int imageHeight, int? imageWidth, int patchSize, bool pyramid, double widthMultiplier, string? weights) =>
        new(new(heads * Math.Max(1, (int)Math.Round(64 * widthMultiplier)), depth, heads, patchSize, imageHeight, imageWidth ?? imageHeight, Pyramid: pyramid), weights);

    /// <summary>ViT-Tiny at <paramref name="width"/>/32 of its width with 8-pixel patches, its levels all at stride 8: a plain
    /// ViT that a 64×64 image turns into an 8×8 grid (the transformer decoders' default on CPU-sized runs).</summary>
    internal static IBackbone SmallPlainVit(int width, int imageHeight = 64, int imageWidth = 64) =>
        VitTiny(imageHeight, imageWidth, patchSize: 8, widthMultiplier: width / 32.0);

    /// <summary>Any ViT from its options.</summary>
    public static VisionTransformer VisionTransformer(VisionTransformerOptions options, string? weights = null) => new(options, weights);

    /// <summary>Any torchvision-structured ResNet from its options.</summary>
    public static ResNet ResNet(ResNetOptions options, string? weights = null) => new(options, weights);

    /// <summary>Every backbone by name with its width multiplier here, or null for one without (SmallResNet's width is
    /// channels), and how to make it at another width: ImageNet files hold the papers' widths (1).</summary>
    private static readonly Dictionary<string, (double? Width, Func<double, IBackbone> Create)> Registry = new()
    {
        ["small-resnet"] = (null, _ => SmallResNet(8)),
        ["resnet18"] = (0.125, w => ResNet18(w)),
        ["resnet18-dilated"] = (0.125, w => ResNet18(w, outputStride: 8)),
        ["resnet26"] = (0.125, w => ResNet26(w)),
        ["resnet34"] = (0.125, w => ResNet34(w)),
        ["resnet50"] = (0.125, w => ResNet50(w)),
        ["resnet50-dilated"] = (0.125, w => ResNet50(w, outputStride: 8)),
        ["resnet101"] = (0.125, w => ResNet101(w)),
        ["se-resnet26"] = (0.125, w => SEResNet26(w)),
        ["se-resnet50"] = (0.125, w => SEResNet50(w)),
        ["se-resnet101"] = (0.125, w => SEResNet101(w)),
        ["mobilenet-v2"] = (0.25, w => MobileNetV2(w)),
        ["hrnet-w18-small"] = (0.5, w => HRNetW18Small(w)),
        ["hrnet-w18"] = (0.25, w => HRNetW18(w)),
        ["hrnet-w48"] = (0.125, w => HRNetW48(w)),
        ["resnet18-fpn"] = (0.125, w => ResNet18Fpn(w)),
        ["resnet50-fpn"] = (0.125, w => ResNet50Fpn(w)),
        // ViT-Tiny's depth and heads at a quarter of its width, 8-pixel patches and the pyramid, so that 64×64 images
        // give four scales as the convolutional backbones do.
        ["vit-tiny"] = (0.25, w => VitTiny(64, patchSize: 8, pyramid: true, widthMultiplier: w)),
    };

    /// <summary>Every backbone by name, each a narrow variant that runs at 64×64 in a test or a CPU tutorial
    /// (the papers' widths are the factory methods' defaults, and <see cref="FromName(string, double)"/> gives any).</summary>
    public static IReadOnlyDictionary<string, IBackbone> All { get; } = Registry.ToDictionary(kv => kv.Key, kv => kv.Value.Create(kv.Value.Width ?? 1));

    /// <summary>The names of <see cref="All"/> that take a width multiplier (all but SmallResNet).</summary>
    public static IEnumerable<string> WithWidth => Registry.Where(kv => kv.Value.Width is not null).Select(kv => kv.Key);

    /// <summary>The entry of <see cref="All"/> called <paramref name="name"/> at width multiplier
    /// <paramref name="widthMultiplier"/> (1: the paper's width, which ImageNet files hold).</summary>
    public static IBackbone FromName(string name, double widthMultiplier)
    {
        var backbone = FromName(name);
        if (Registry[name].Width is null)
            throw new ArgumentException($"Backbone '{name}' has no width multiplier (its width is channels); backbones that have one: {string.Join(", ", WithWidth)}.", nameof(name));
        if (!(widthMultiplier > 0) || double.IsInfinity(widthMultiplier))
            throw new ArgumentOutOfRangeException(nameof(widthMultiplier), widthMultiplier, $"A width multiplier must be positive, got {widthMultiplier}.");
        return Registry[name].Create(widthMultiplier);
    }

    /// <summary>The entry of <see cref="All"/> called <paramref name="name"/>, or an error listing the names.</summary>
    public static IBackbone FromName(string name) =>
        All.TryGetValue(name, out var backbone)
            ? backbone
            : throw new ArgumentException($"Unknown backbone '{name}'. Known: {string.Join(", ", All.Keys)}.", nameof(name));
}
