using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Modules.Heads;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Backbones;

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
