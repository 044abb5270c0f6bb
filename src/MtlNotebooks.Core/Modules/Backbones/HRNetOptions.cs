using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Modules.Heads;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>Options of <see cref="HRNetModule"/> (Wang et al. 2020, HRNetV2 backbone without a head).</summary>
/// <param name="Width">Channels of the highest-resolution branch; branch i has Width·2^i (18 → 18/36/72/144).</param>
/// <param name="StemChannels">Channels of the two stride-2 3x3 stem convs and the input of stage 1 (64).</param>
/// <param name="Stage1Planes">Bottleneck planes of stage 1 (64 → 256 channels out).</param>
/// <param name="Stage1Blocks">Bottlenecks in stage 1.</param>
/// <param name="Modules">High-resolution modules of stages 2, 3 and 4.</param>
/// <param name="BlocksPerBranch">Basic blocks per branch in every module of stages 2-4.</param>
public sealed record HRNetOptions(int Width = 18, int StemChannels = 64, int Stage1Planes = 64, int Stage1Blocks = 2,
    IReadOnlyList<int>? Modules = null, int BlocksPerBranch = 2)
{
    /// <summary>Modules of stages 2, 3, 4 (HRNetV2-W18-Small-v2: 1, 3, 2).</summary>
    public IReadOnlyList<int> StageModules => Modules ?? [1, 3, 2];

    /// <summary>MTI-Net's and the survey's "HRNet-18": HRNetV2-W18-Small-v2 (3,860,720 parameters).</summary>
    public static HRNetOptions W18SmallV2(double widthMultiplier = 1) => Scaled(18, 2, [1, 3, 2], 2, widthMultiplier);

    /// <summary>Full HRNetV2-W18: four bottlenecks in stage 1, modules 1/4/3, four blocks per branch.</summary>
    public static HRNetOptions W18(double widthMultiplier = 1) => Scaled(18, 4, [1, 4, 3], 4, widthMultiplier);

    /// <summary>HRNetV2-W48 (the HRNet paper's large segmentation backbone).</summary>
    public static HRNetOptions W48(double widthMultiplier = 1) => Scaled(48, 4, [1, 4, 3], 4, widthMultiplier);

    private static HRNetOptions Scaled(int width, int stage1Blocks, int[] modules, int blocks, double m)
    {
        int Scale(int c) => Math.Max(1, (int)Math.Round(c * m, MidpointRounding.AwayFromZero));
        return new HRNetOptions(Scale(width), Scale(64), Scale(64), stage1Blocks, modules, blocks);
    }

    public int BranchChannels(int branch) => Width << branch;

    /// <summary>Four levels, strides 4, 8, 16, 32, channels Width·1, 2, 4, 8.</summary>
    public FeatureInfo Features => new(Enumerable.Range(0, 4).Select(i => new FeatureLevel($"branch{i + 1}", BranchChannels(i), 4 << i)));

    public IEnumerable<string> Validate(string caller)
    {
        if (Width < 1 || StemChannels < 1 || Stage1Planes < 1)
            yield return $"{caller}: width, stem channels and stage-1 planes must be >= 1, got {Width}, {StemChannels}, {Stage1Planes}.";
        if (Stage1Blocks < 1 || BlocksPerBranch < 1) yield return $"{caller}: every stage needs >= 1 block, got stage 1 {Stage1Blocks}, per branch {BlocksPerBranch}.";
        if (StageModules.Count != 3 || StageModules.Any(n => n < 1))
            yield return $"{caller}: modules must list 3 counts >= 1 (stages 2, 3, 4), got [{string.Join(", ", StageModules)}].";
    }
}
