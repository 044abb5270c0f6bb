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
