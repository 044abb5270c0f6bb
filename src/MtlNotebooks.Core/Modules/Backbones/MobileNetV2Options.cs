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
