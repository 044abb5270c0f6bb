using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Modules.DecoderFocused;
using MtlNotebooks.Modules.EncoderFocused;
using MtlNotebooks.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Tests.BackboneZoo;

/// <summary>A backbone written as a researcher would write it, in a page (a small ConvNeXt-like four-stage network), runs
/// through the contract and trains in every registered architecture; ASTMT, which rebuilds its own task-aware encoder,
/// refuses it naming what is missing.</summary>
[Collection("Torch")]
public sealed class UserBackboneTests
{
    /// <summary>The spec: levels known before any module exists, and the staged capability.</summary>
    private sealed record TinyConvNeXt(int Width = 8, int[]? Depths = null) : IBackbone, IStagedBackbone
    {
        public int[] StageDepths => Depths ?? [2, 1, 2, 1];
        public string Name => $"TinyConvNeXt({Width})";
        public FeatureInfo Features => new(StageDepths.Select((_, i) => new FeatureLevel($"stage{i + 1}", Width << i, 4 << i)));
        public FeatureInfo StageLevels => Features;
        // Stages after the first start with their downsampling layer, which counts as a block.
        public IReadOnlyList<int> StageBlocks => StageDepths.Select((d, i) => i == 0 ? d : d + 1).ToArray();
        public Backbone Create() => new TinyConvNeXtModule(this);
    }

    /// <summary>One group: a layer norm over channels and space, as ConvNeXt normalises. TorchSharp 0.107's GroupNorm leaves
    /// its affine weight and bias uninitialised (whatever memory held), so they are set here.</summary>
    internal static GroupNorm Norm(int channels)
    {
        var norm = GroupNorm(1, channels);
        using (no_grad())
        {
            norm.weight!.fill_(1);
            norm.bias!.zero_();
        }
        return norm;
    }

    private sealed class ConvNeXtBlock : Module<Tensor, Tensor>
    {
        private readonly Sequential body;

        public ConvNeXtBlock(int channels) : base(nameof(ConvNeXtBlock))
        {
            body = Sequential(Conv2d(channels, channels, 7, padding: 3, groups: channels), Norm(channels),
                Conv2d(channels, 4 * channels, 1), GELU(), Conv2d(4 * channels, channels, 1));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => x + body.call(x);
    }

    private sealed class TinyConvNeXtModule : Backbone, IStagedBackboneModule
    {
        private readonly Sequential stem;
        private readonly ModuleList<Sequential> stages = new();
        private readonly FeatureInfo _features;

        public TinyConvNeXtModule(TinyConvNeXt spec) : base(nameof(TinyConvNeXtModule))
        {
            _features = spec.Features;
            stem = Sequential(Conv2d(3, spec.Width, 4, stride: 4), Norm(spec.Width));
            for (int s = 0; s < spec.StageDepths.Length; s++)
            {
                int channels = spec.Width << s;
                var blocks = new List<Module<Tensor, Tensor>>();
                if (s > 0) blocks.Add(Sequential(Norm(channels / 2), Conv2d(channels / 2, channels, 2, stride: 2)));
                for (int b = 0; b < spec.StageDepths[s]; b++) blocks.Add(new ConvNeXtBlock(channels));
                stages.Add(Sequential(blocks));
            }
            RegisterComponents();
        }

        public override FeatureInfo Features => _features;

        public BackboneStages Stages => new(stem.call, _features.Finest.Channels,
            stages.Select(s => s.children().Cast<Module<Tensor, Tensor>>().ToArray()).ToArray(), _features);

        public override FeatureMaps forward(Tensor image)
        {
            var x = stem.call(image);
            var maps = new List<Tensor>();
            foreach (var stage in stages) maps.Add(x = stage.call(x));
            return new FeatureMaps(maps);
        }
    }

    [Fact]
    public void Contract_AcceptsIt() => Assert.Empty(Contracts.Check(new TinyConvNeXt()));

    /// <summary>Every architecture the library registers, not a list kept here.</summary>
    public static TheoryData<string> Architectures_ => new(Architectures.All.Keys);

    /// <summary>Each registered architecture trains a step on the user's backbone, or (ASTMT, which rebuilds a task-aware
    /// encoder block by block) is refused before anything is built, in words naming the capability the backbone lacks.
    /// An architecture that derives its form from trained single-task networks (the branched search, cross-stitch and
    /// NDDR-CNN from their baselines) gets them, trained on the same backbone, as the quick experiment hands them over.</summary>
    [Theory]
    [MemberData(nameof(Architectures_))]
    public void TrainsOneStep_OrIsRefusedNamingWhatIsMissing(string name)
    {
        using var train = SyntheticDataset.Create(SyntheticSplit.Train, 2, 64, 64, seed: 4);
        using var validation = SyntheticDataset.Create(SyntheticSplit.Validation, 4, 64, 64, seed: 4);
        var architecture = Architectures.All[name];
        var plan = Builder(name, architecture).Plan();
        if (name.StartsWith("astmt", StringComparison.Ordinal))
        {
            var problem = Assert.Single(plan.Problems, p => p.Contains("UseArchitecture(Astmt"));
            Assert.Contains("TinyConvNeXt(8)", problem);
            Assert.Contains("IAstmtBackbone", problem);
            return;
        }
        if (architecture is TaskPrompter)
        {
            // TaskPrompter rebuilds a plain ViT's blocks with its prompts: refused by the capability it lacks, like ASTMT.
            var problem = Assert.Single(plan.Problems, p => p.Contains("UseArchitecture(TaskPrompter)"));
            Assert.Contains("TinyConvNeXt(8)", problem);
            Assert.Contains("ITransformerBackbone", problem);
            return;
        }
        Assert.Empty(plan.Problems);
        if (architecture is INeedsTrainedBaselines needs)
        {
            using var baselines = Builder(name, Architectures.SingleTask()).Build();
            Trainer.Fit(baselines, train, validation, new TrainingOptions { Epochs = 1, BatchSize = 2 });
            using var probe = validation.GetBatch([0, 1, 2, 3]);
            architecture = needs.AfterBaselines(baselines.Network, probe.Images);
        }
        using var model = Builder(name, architecture).Build();
        var history = Trainer.Fit(model, train, validation, new TrainingOptions { Epochs = 1, BatchSize = 2 });
        Assert.True(double.IsFinite(Assert.Single(history.Steps).TotalLoss), name);
    }

    private static MultiTaskNetBuilder Builder(string name, IArchitecture architecture)
    {
        var builder = MultiTaskNet.CreateBuilder().UseBackbone(new TinyConvNeXt())
            .AddTask(DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount)).AddTask(DenseTasks.Depth())
            .UseArchitecture(architecture).WithSeed(1);
        return name.StartsWith("mti-net", StringComparison.Ordinal) ? builder.AddAuxiliaryTask(DenseTasks.SurfaceNormals()) : builder;
    }

    [Fact]
    public void Contract_NamesStagesThatDisagreeWithTheSpec()
    {
        var wrongBlocks = new WrongBlocks();
        Assert.Contains(Contracts.Check(wrongBlocks), p => p.Contains("StageBlocks declares [1, 1, 1, 1] blocks per stage, its module's stages have [2, 2, 3, 2]"));
        Assert.Contains(Contracts.Check(new NotStagedModule()), p => p.Contains("does not implement IStagedBackboneModule"));
    }

    private sealed record WrongBlocks : IBackbone, IStagedBackbone
    {
        private readonly TinyConvNeXt _inner = new();
        public string Name => "wrong blocks";
        public FeatureInfo Features => _inner.Features;
        public FeatureInfo StageLevels => _inner.StageLevels;
        public IReadOnlyList<int> StageBlocks => [1, 1, 1, 1];
        public Backbone Create() => _inner.Create();
    }

    private sealed record NotStagedModule : IBackbone, IStagedBackbone
    {
        public string Name => "staged spec, plain module";
        public FeatureInfo Features => Backbones.SmallResNet(8).Features;
        public FeatureInfo StageLevels => Features;
        public IReadOnlyList<int> StageBlocks => [1, 1, 1, 1];
        public Backbone Create() => new Plain(Backbones.SmallResNet(8).Create());

        private sealed class Plain : Backbone
        {
            private readonly Backbone inner;
            public Plain(Backbone wrapped) : base(nameof(Plain)) { inner = wrapped; RegisterComponents(); }
            public override FeatureInfo Features => inner.Features;
            public override FeatureMaps forward(Tensor image) => inner.call(image);
        }
    }
}
