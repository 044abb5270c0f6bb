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

/// <summary>HRNet as the survey / MTI-Net code builds it (field names equal its state-dict keys: conv1, bn1, conv2, bn2,
/// layer1, transition1..3, stage2..4): parallel branches at strides 4-32 exchanging information in every module.
/// BN momentum 0.01 as the reference.</summary>
public sealed class HRNetModule : Backbone
{
    private const double BnMomentum = 0.01;
    private readonly Conv2d conv1;
    private readonly ScalarSafeBatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly ScalarSafeBatchNorm2d bn2;
    private readonly ReLU relu;
    private readonly Sequential layer1;
    private readonly ModuleDict<Module<Tensor, Tensor>> transition1;
    private readonly ModuleList<HighResolutionModule> stage2;
    private readonly ModuleDict<Module<Tensor, Tensor>> transition2;
    private readonly ModuleList<HighResolutionModule> stage3;
    private readonly ModuleDict<Module<Tensor, Tensor>> transition3;
    private readonly ModuleList<HighResolutionModule> stage4;
    private readonly FeatureInfo _features;

    public HRNetModule(HRNetOptions options) : base("HRNet")
    {
        var problems = options.Validate("HRNet").ToArray();
        if (problems.Length > 0) throw new ArgumentException(string.Join(" ", problems), nameof(options));
        _features = options.Features;
        int stem = options.StemChannels;
        conv1 = Ops.Conv2d(3, stem, 3, stride: 2, padding: 1, bias: false);
        bn1 = Ops.BatchNorm2d(stem, momentum: BnMomentum);
        conv2 = Ops.Conv2d(stem, stem, 3, stride: 2, padding: 1, bias: false);
        bn2 = Ops.BatchNorm2d(stem, momentum: BnMomentum);
        relu = ReLU();
        var blocks = new List<Module<Tensor, Tensor>>();
        int stage1Out = options.Stage1Planes * 4;
        for (int b = 0; b < options.Stage1Blocks; b++)
            blocks.Add(new ResNetBottleneck(b == 0 ? stem : stage1Out, options.Stage1Planes, project: b == 0 && stem != stage1Out, bnMomentum: BnMomentum));
        layer1 = Sequential(blocks);

        int[] previous = [stage1Out];
        (transition1, stage2, previous) = Stage(previous, 2, options);
        (transition2, stage3, previous) = Stage(previous, 3, options);
        (transition3, stage4, _) = Stage(previous, 4, options);
        RegisterComponents();
        ResNetModule.InitializeAsTorchVision(this);
    }

    private static (ModuleDict<Module<Tensor, Tensor>>, ModuleList<HighResolutionModule>, int[]) Stage(int[] previous, int branches, HRNetOptions options)
    {
        var channels = Enumerable.Range(0, branches).Select(options.BranchChannels).ToArray();
        // Transition: existing branches get a 3x3 conv when their width changes; a new branch is made from the coarsest
        // previous one by a chain of 3x3 stride-2 conv-BN-ReLU.
        var transition = new ModuleDict<Module<Tensor, Tensor>>();
        for (int i = 0; i < branches; i++)
        {
            if (i < previous.Length)
            {
                if (channels[i] != previous[i])
                    transition.Add($"{i}", Sequential(Ops.Conv2d(previous[i], channels[i], 3, padding: 1, bias: false),
                        Ops.BatchNorm2d(channels[i], momentum: BnMomentum), ReLU()));
                continue;
            }
            var chain = new List<Module<Tensor, Tensor>>();
            for (int j = 0; j < i + 1 - previous.Length; j++)
            {
                int inC = previous[^1];
                int outC = j == i - previous.Length ? channels[i] : inC;
                chain.Add(Sequential(Ops.Conv2d(inC, outC, 3, stride: 2, padding: 1, bias: false), Ops.BatchNorm2d(outC, momentum: BnMomentum), ReLU()));
            }
            transition.Add($"{i}", Sequential(chain));
        }
        var modules = new ModuleList<HighResolutionModule>();
        for (int m = 0; m < options.StageModules[branches - 2]; m++)
            modules.Add(new HighResolutionModule(channels, options.BlocksPerBranch, BnMomentum));
        return (transition, modules, channels);
    }

    public override FeatureInfo Features => _features;

    public override FeatureMaps forward(Tensor input)
    {
        var x = relu.call(bn1.call(conv1.call(input)));
        x = relu.call(bn2.call(conv2.call(x)));
        x = layer1.call(x);
        var maps = RunStage(transition1, stage2, [x], 2);
        maps = RunStage(transition2, stage3, maps, 3);
        maps = RunStage(transition3, stage4, maps, 4);
        return new FeatureMaps(maps);
    }

    private static Tensor[] RunStage(ModuleDict<Module<Tensor, Tensor>> transition, ModuleList<HighResolutionModule> stage, Tensor[] previous, int branches)
    {
        var x = new Tensor[branches];
        for (int i = 0; i < branches; i++)
        {
            var source = i < previous.Length ? previous[i] : previous[^1];
            x[i] = transition.TryGetValue($"{i}", out var layer) ? layer.call(source) : source;
        }
        foreach (var module in stage) x = module.call(x);
        return x;
    }
}

/// <summary>One HRNet module: per branch a sequence of basic blocks, then every output is the ReLU of the sum over all
/// branches brought to its resolution — finer ones by 3x3 stride-2 conv-BN chains (ReLU except the last), coarser ones
/// by 1x1 conv-BN and bilinear upsampling. Fields branches, fuse_layers as the reference.</summary>
public sealed class HighResolutionModule : Module<Tensor[], Tensor[]>
{
    private readonly ModuleList<Sequential> branches;
    private readonly ModuleList<ModuleDict<Module<Tensor, Tensor>>> fuse_layers;
    private readonly ReLU relu;

    public HighResolutionModule(IReadOnlyList<int> channels, int blocksPerBranch, double bnMomentum = 0.01) : base(nameof(HighResolutionModule))
    {
        int n = channels.Count;
        branches = new ModuleList<Sequential>();
        for (int i = 0; i < n; i++)
            branches.Add(Sequential(Enumerable.Range(0, blocksPerBranch)
                .Select(_ => (Module<Tensor, Tensor>)new ResNetBasicBlock(channels[i], channels[i], bnMomentum: bnMomentum)).ToList()));
        fuse_layers = new ModuleList<ModuleDict<Module<Tensor, Tensor>>>();
        for (int i = 0; i < n; i++)
        {
            var fuse = new ModuleDict<Module<Tensor, Tensor>>();
            for (int j = 0; j < n; j++)
            {
                if (j > i)
                    fuse.Add($"{j}", Sequential(Ops.Conv2d(channels[j], channels[i], 1, bias: false), Ops.BatchNorm2d(channels[i], momentum: bnMomentum)));
                else if (j < i)
                {
                    var chain = new List<Module<Tensor, Tensor>>();
                    for (int k = 0; k < i - j; k++)
                    {
                        bool last = k == i - j - 1;
                        int outC = last ? channels[i] : channels[j];
                        var conv = Ops.Conv2d(channels[j], outC, 3, stride: 2, padding: 1, bias: false);
                        chain.Add(last
                            ? Sequential(conv, Ops.BatchNorm2d(outC, momentum: bnMomentum))
                            : Sequential(conv, Ops.BatchNorm2d(outC, momentum: bnMomentum), ReLU()));
                    }
                    fuse.Add($"{j}", Sequential(chain));
                }
            }
            fuse_layers.Add(fuse);
        }
        relu = ReLU();
        RegisterComponents();
    }

    public override Tensor[] forward(Tensor[] input)
    {
        var x = new Tensor[input.Length];
        for (int i = 0; i < x.Length; i++) x[i] = branches[i].call(input[i]);
        var fused = new Tensor[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            var y = i == 0 ? x[0] : fuse_layers[i]["0"].call(x[0]);
            for (int j = 1; j < x.Length; j++)
            {
                if (j == i) y = y + x[j];
                else if (j > i) y = y + Resize.To(fuse_layers[i][$"{j}"].call(x[j]), x[i].shape[2], x[i].shape[3]);
                else y = y + fuse_layers[i][$"{j}"].call(x[j]);
            }
            fused[i] = relu.call(y);
        }
        return fused;
    }
}
