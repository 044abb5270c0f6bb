using MtlNotebooks.Checks;
using MtlNotebooks.Runtime;
using MtlNotebooks.Tasks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Core;

/// <summary>Every registered backbone, head, distillation unit and feature propagation through <see cref="Contracts"/>
/// (as timm runs every model through one suite); components written here as a user would, broken and correct, to pin
/// what the checker and <see cref="MultiTaskNetBuilder.Build"/> say about them.</summary>
[Collection("Torch")]
public sealed class ContractTests
{
    public static TheoryData<string> BackboneNames => new(Backbones.All.Keys);
    public static TheoryData<string> DistillationUnitNames => new(DistillationUnits.All.Keys);
    public static TheoryData<string> PropagationNames => new(FeaturePropagations.All.Keys);
    public static TheoryData<string> TaskNames => new(DenseTasks.All.Keys);

    /// <summary>Every head on the checker's default four levels and on the layouts of three backbone families: equal widths
    /// (FPN), HRNet's, and a dilated ResNet's (strides 4, 8, 8, 8).</summary>
    public static TheoryData<string, string> HeadsOnLayouts()
    {
        var data = new TheoryData<string, string>();
        foreach (var head in Heads.All.Keys)
            foreach (var layout in new[] { "default", "resnet18-fpn", "hrnet-w18-small", "resnet18-dilated" })
                data.Add(head, layout);
        return data;
    }

    [Theory]
    [MemberData(nameof(BackboneNames))]
    public void Check_RegisteredBackbone_Conforms(string name) => AssertConforms(Contracts.Check(Backbones.All[name]));

    [Theory]
    [MemberData(nameof(HeadsOnLayouts))]
    public void Check_RegisteredHead_ConformsOnEveryLayout(string head, string layout)
    {
        var context = layout == "default" ? null : new HeadContext("semseg", 5, Backbones.All[layout].Features);
        AssertConforms(Contracts.Check(Heads.All[head], context));
    }

    [Theory]
    [MemberData(nameof(DistillationUnitNames))]
    public void Check_RegisteredDistillationUnit_Conforms(string name) => AssertConforms(Contracts.Check(DistillationUnits.All[name]));

    [Theory]
    [MemberData(nameof(PropagationNames))]
    public void Check_FeaturePropagation_Conforms(string name) => AssertConforms(Contracts.Check(FeaturePropagations.All[name]));

    /// <summary>Every registered task with its defaults: valid, a declared label that a label of that shape fits, and a
    /// finite loss on it whose gradient reaches the outputs.</summary>
    [Theory]
    [MemberData(nameof(TaskNames))]
    public void RegisteredTask_ComputesAFiniteLossOnItsDeclaredLabel(string name)
    {
        var task = DenseTasks.All[name];
        Assert.Empty(task.Validate());
        var shape = Assert.IsType<TaskLabelShape>(task.Label);
        using var scope = NewDisposeScope();
        manual_seed(5);
        var label = shape.ClassMap
            ? randint(task.OutputChannels, [2, 8, 8], dtype: ScalarType.Int64)
            : (rand(2, shape.Channels, 8, 8) > 0.5).to(ScalarType.Float32);
        Assert.Null(shape.Problem(label));
        var output = randn(2, task.OutputChannels, 8, 8).requires_grad_();
        var loss = task.Loss.Compute(output, label);
        Assert.True(double.IsFinite(loss.item<float>()), $"task '{task.Name}': loss {loss.item<float>()}");
        loss.backward();
        Assert.NotNull(output.grad);
    }

    [Fact]
    public void RegisteredTasks_HaveDistinctNames() =>
        Assert.Equal(DenseTasks.All.Count, DenseTasks.All.Values.Select(t => t.Name).Distinct().Count());

    [Fact]
    public void Check_HeadTheContextRejects_ReturnsItsValidateProblem()
    {
        var singleLevel = new HeadContext("depth", 1, new FeatureInfo([new FeatureLevel("layer4", 64, 8)]));
        var problem = Assert.Single(Contracts.Check(Heads.DeepLabV3Plus(), singleLevel));
        Assert.StartsWith($"head '{Heads.DeepLabV3Plus().Name}' for task 'depth' does not accept its context", problem);
        Assert.Contains("needs low-level features from a finer level", problem);
    }

    // ---- Backbones written by a user ----

    private static readonly FeatureLevel Layer1 = new("layer1", 16, 4);
    private static readonly FeatureLevel Layer2 = new("layer2", 64, 8);

    [Fact]
    public void Check_CorrectUserBackbone_Conforms() => AssertConforms(Contracts.Check(new UserBackbone("MyNet", [Layer1, Layer2])));

    [Fact]
    public void Check_UserBackboneWithOtherChannels_NamesLevelAndBothWidths()
    {
        var problem = Assert.Single(Contracts.Check(new UserBackbone("MyNet", [Layer1, Layer2], Actual: [Layer1, Layer2 with { Channels = 32 }])));
        Assert.Equal("backbone 'MyNet' declares level 'layer2' with 64 channels at stride 8, but its forward returned 32 channels at stride 8 " +
                     "for a batch of 2 random 64×72 images.", problem);
    }

    [Fact]
    public void Check_UserBackboneWithUnusedParameter_NamesIt()
    {
        var problem = Assert.Single(Contracts.Check(new UserBackbone("MyNet", [Layer1, Layer2], UnusedParameter: true)));
        Assert.Equal("backbone 'MyNet': no gradient reaches 2 trainable parameters (unused.weight, unused.bias); every trainable parameter " +
                     "must take part in forward, or be frozen with requires_grad = false.", problem);
    }

    [Fact]
    public void Check_UserBackboneReturningCoarsestFirst_SaysWhichOrder()
    {
        var problems = Contracts.Check(new UserBackbone("MyNet", [Layer1, Layer2], Actual: [Layer2, Layer1]));
        Assert.Equal(3, problems.Count);
        Assert.Contains("declares level 'layer1' with 16 channels at stride 4, but its forward returned 64 channels at stride 8", problems[0]);
        Assert.Equal("backbone 'MyNet': its maps come coarsest first; return them finest first, in the order of Features.", problems[2]);
    }

    [Fact]
    public void Build_UserBackboneWithOtherChannels_ThrowsNamingLevelAndBothWidths()
    {
        var builder = Builder(new UserBackbone("MyNet", [Layer1, Layer2], Actual: [Layer1, Layer2 with { Channels = 32 }]));
        var error = Assert.Throws<BuildException>(() => builder.Build());
        Assert.Equal("UseBackbone: backbone 'MyNet' declares level 'layer2' with 64 channels at stride 8, but its forward returned 32 channels " +
                     "at stride 8 for a 32×32 zero image in evaluation mode.", Assert.Single(error.Problems));
    }

    [Fact]
    public void Build_UserBackboneWithOtherStrideAndFewerMaps_ListsEveryProblem()
    {
        var builder = Builder(new UserBackbone("MyNet", [Layer1, Layer2, new FeatureLevel("layer3", 64, 16)],
            Actual: [Layer1 with { Stride = 8 }, Layer2]));
        var error = Assert.Throws<BuildException>(() => builder.Build());
        Assert.Equal(
            [
                "UseBackbone: backbone 'MyNet' declares 3 levels (layer1, layer2, layer3), but its forward returned 2 feature maps for a 32×32 zero image in evaluation mode.",
                "UseBackbone: backbone 'MyNet' declares level 'layer1' with 16 channels at stride 4, but its forward returned 16 channels at stride 8 for a 32×32 zero image in evaluation mode.",
            ], error.Problems);
        Assert.Contains("(2 problems)", error.Message);
    }

    [Fact]
    public void Build_UserBackboneWhoseModuleReportsOtherLevels_Throws()
    {
        var builder = Builder(new UserBackbone("MyNet", [Layer1, Layer2], Reported: [Layer1]));
        var problem = Assert.Single(Assert.Throws<BuildException>(() => builder.Build()).Problems);
        Assert.Equal("UseBackbone: backbone 'MyNet' declares the levels layer1 (16 ch, stride 4), layer2 (64 ch, stride 8) before it is created, " +
                     "but the module it creates reports layer1 (16 ch, stride 4); the two must be equal (heads are sized from the first and fed by the second).", problem);
    }

    [Fact]
    public void Build_UserBackboneWhoseForwardFails_NamesTheBackboneAndLibtorchsMessage()
    {
        var builder = Builder(new UserBackbone("MyNet", [Layer1, Layer2], FailInForward: true));
        var problem = Assert.Single(Assert.Throws<BuildException>(() => builder.Build()).Problems);
        Assert.StartsWith("UseBackbone: backbone 'MyNet': its forward failed on a 32×32 zero image in evaluation mode: libtorch: ", problem);
    }

    [Fact]
    public void Build_UserSpecDeclaringOtherLevelsThanTheLibraryModuleItCreates_Throws()
    {
        var spec = new LibraryModuleSpec(Backbones.SmallResNet(4), [Layer1, Layer2]);
        var problem = Assert.Single(Assert.Throws<BuildException>(() => Builder(spec).Build()).Problems);
        Assert.StartsWith("UseBackbone: backbone 'MyResNet' declares the levels layer1 (16 ch, stride 4), layer2 (64 ch, stride 8) before it is created, " +
                          "but the module it creates reports layer1 (4 ch, stride 4), layer2 (8 ch, stride 8)", problem);
    }

    [Fact]
    public void Build_LibraryPyramidOverAUserBackboneWithOtherChannels_IsProbed()
    {
        var pyramid = Backbones.Fpn(new UserBackbone("MyNet", [Layer1, Layer2], Actual: [Layer1, Layer2 with { Channels = 32 }]), 8);
        var problem = Assert.Single(Assert.Throws<BuildException>(() => Builder(pyramid).Build()).Problems);
        Assert.StartsWith($"UseBackbone: backbone '{pyramid.Name}': its forward failed on a 32×32 zero image in evaluation mode: ", problem);
        Assert.Contains("64 channels", problem);
    }

    [Theory]
    [InlineData("hard-sharing")]
    [InlineData("single-task")]
    public void Build_ProbedUserBackbone_LeavesInitialisationAndRandomStreamAsWithoutProbe(string architecture)
    {
        // The backbone draws random numbers in forward, so a probe that did not restore the generator would shift the
        // initialisation of the heads created after it (single-task) and the dropout masks of training (both).
        var spec = new UserBackbone("MyNet", [Layer1, Layer2], RandomInForward: true);
        var arch = Architectures.All[architecture];
        using var built = Builder(spec).UseArchitecture(arch).WithSeed(7).Build();
        var afterBuild = rand(4);
        manual_seed(7);
        using var direct = arch.Create(new ArchitectureContext(spec, [new Depth(), new SurfaceNormals()], []));
        var afterDirect = rand(4);
        Assert.Equal(direct.state_dict().Keys, built.Network.state_dict().Keys);
        foreach (var (name, tensor) in direct.state_dict())
            Assert.True(tensor.eq(built.Network.state_dict()[name]).all().item<bool>(), $"{name} differs");
        Assert.True(afterDirect.eq(afterBuild).all().item<bool>());
    }

    [Fact]
    public void Probe_LeavesWeightsBuffersTrainingFlagsAndTensorCount()
    {
        var spec = Backbones.SmallResNet(4);
        using var module = spec.Create();
        var frozen = module.named_modules().First(m => m.module is ScalarSafeBatchNorm2d).module;
        frozen.eval();
        var before = module.state_dict().ToDictionary(e => e.Key, e => e.Value.clone());
        var flags = module.modules().Select(m => m.training).ToArray();
        // Tensors that earlier tests left to the garbage collector are finalised first, not during the probe.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long live = Tensor.TotalCount;

        Assert.Empty(BackboneContract.Probe(spec, module));

        Assert.Equal(live, Tensor.TotalCount);
        Assert.Equal(flags, module.modules().Select(m => m.training));
        Assert.False(frozen.training);
        foreach (var (name, tensor) in module.state_dict())
            Assert.True(tensor.eq(before[name]).all().item<bool>(), $"{name} changed");
        foreach (var tensor in before.Values) tensor.Dispose();
    }

    // ---- Heads written by a user ----

    [Fact]
    public void Check_CorrectUserHead_Conforms() => AssertConforms(Contracts.Check(new UserHead("MyHead")));

    [Fact]
    public void Check_UserHeadWithOtherChannels_SaysWhatWasExpected()
    {
        var problem = Assert.Single(Contracts.Check(new UserHead("MyHead", ExtraChannels: 1), new HeadContext("depth", 1, new FeatureInfo([Layer1, Layer2]))));
        Assert.Equal("head 'MyHead' for task 'depth' returned [2, 2, 16, 18] for feature maps of a batch of 2 64×72 images; " +
                     "expected [2, 1, h, w] with h×w the size of one of the levels (16×18 at stride 4, 8×9 at stride 8).", problem);
    }

    [Fact]
    public void Check_UserHeadAtAFixedSize_IsRejected()
    {
        var problem = Assert.Single(Contracts.Check(new UserHead("MyHead", FixedSize: 10)));
        Assert.Contains("returned [2, 3, 10, 10]", problem);
    }

    // ---- Distillation units written by a user ----

    [Fact]
    public void Check_CorrectUserDistillationUnit_Conforms() => AssertConforms(Contracts.Check(new UserUnit("CrossTaskMean")));

    [Fact]
    public void Check_UserUnitReturningItsSources_SaysWhichTasksAreExpected()
    {
        var problem = Assert.Single(Contracts.Check(new UserUnit("CrossTaskMean", ReturnSources: true)));
        Assert.Equal("distillation unit 'CrossTaskMean' returned features of tasks semseg, depth, normals for features [2, 8, 8, 9] of tasks " +
                     "semseg, depth, normals; expected semseg, depth, in that order.", problem);
    }

    [Fact]
    public void Check_UserUnitSizedFromTheLevelInsteadOfTheContextChannels_FailsInForward()
    {
        var problem = Assert.Single(Contracts.Check(new UserUnit("CrossTaskMean", UseLevelChannels: true)));
        Assert.StartsWith("distillation unit 'CrossTaskMean': forward (training mode) failed: ", problem);
        Assert.Contains("16 channels", problem);
    }

    [Fact]
    public void Check_LeavesTheRandomStreamAsItWas()
    {
        manual_seed(11);
        var expected = rand(3);
        manual_seed(11);
        Assert.Empty(Contracts.Check(DistillationUnits.All["spatial-attention"]));
        Assert.True(rand(3).eq(expected).all().item<bool>());
    }

    private static void AssertConforms(IReadOnlyList<string> problems) =>
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));

    private static MultiTaskNetBuilder Builder(IBackbone backbone) => MultiTaskNet.CreateBuilder()
        .UseBackbone(backbone)
        .AddTask(new Depth())
        .AddTask(new SurfaceNormals());

    /// <summary>A backbone as a user might write one: a 1x1 conv per level on the image, average-pooled to the level's
    /// stride. <paramref name="Actual"/> (what forward returns) and <paramref name="Reported"/> (the module's Features)
    /// default to <paramref name="Declared"/>.</summary>
    private sealed record UserBackbone(string Name, FeatureLevel[] Declared, FeatureLevel[]? Actual = null, FeatureLevel[]? Reported = null,
        bool UnusedParameter = false, bool FailInForward = false, bool RandomInForward = false) : IBackbone
    {
        public FeatureInfo Features => new(Declared);

        public Backbone Create() => new Net(this);

        private sealed class Net : Backbone
        {
            private readonly ModuleList<nn.Module<Tensor, Tensor>> levels = new();
            private readonly Conv2d? unused;
            private readonly FeatureLevel[] _actual;
            private readonly UserBackbone _spec;

            public Net(UserBackbone spec) : base(spec.Name)
            {
                _spec = spec;
                _actual = spec.Actual ?? spec.Declared;
                foreach (var level in _actual) levels.Add(nn.Conv2d(3, level.Channels, 1));
                if (spec.UnusedParameter) unused = nn.Conv2d(3, 3, 1);
                RegisterComponents();
            }

            public override FeatureInfo Features => new(_spec.Reported ?? _spec.Declared);

            public override FeatureMaps forward(Tensor image)
            {
                if (_spec.RandomInForward) image = image + 1e-3 * randn_like(image);
                if (_spec.FailInForward) image = cat([image, zeros(1, 3, 1, 1)], 0);
                return new FeatureMaps(_actual.Select((level, i) => nn.functional.avg_pool2d(levels[i].call(image), level.Stride)));
            }
        }
    }

    /// <summary>A user's spec around one of the library's modules, declaring <paramref name="Declared"/>.</summary>
    private sealed record LibraryModuleSpec(IBackbone Inner, FeatureLevel[] Declared) : IBackbone
    {
        public string Name => "MyResNet";
        public FeatureInfo Features => new(Declared);
        public Backbone Create() => Inner.Create();
    }

    /// <summary>A head as a user might write one: a 1x1 conv on the finest level; <paramref name="ExtraChannels"/> and
    /// <paramref name="FixedSize"/> break it.</summary>
    private sealed record UserHead(string Name, int ExtraChannels = 0, int? FixedSize = null) : IHead
    {
        public nn.Module<FeatureMaps, Tensor> Create(HeadContext context) => new Module(context, this);

        private sealed class Module : nn.Module<FeatureMaps, Tensor>
        {
            private readonly Conv2d classifier;
            private readonly int? _size;

            public Module(HeadContext context, UserHead spec) : base(spec.Name)
            {
                classifier = nn.Conv2d(context.Features.Finest.Channels, context.OutputChannels + spec.ExtraChannels, 1);
                _size = spec.FixedSize;
                RegisterComponents();
            }

            public override Tensor forward(FeatureMaps features)
            {
                var output = classifier.call(features.Finest);
                return _size is int s ? nn.functional.interpolate(output, [s, s], mode: InterpolationMode.Bilinear, align_corners: false) : output;
            }
        }
    }

    /// <summary>A distillation unit as a user might write one: every target adds a 1x1 projection of the mean of all sources.
    /// <paramref name="ReturnSources"/> and <paramref name="UseLevelChannels"/> break it.</summary>
    private sealed record UserUnit(string Name, bool ReturnSources = false, bool UseLevelChannels = false) : IDistillationUnit
    {
        public nn.Module<TaskFeatures, TaskFeatures> Create(DistillationContext context) => new Module(context, this);

        private sealed class Module : nn.Module<TaskFeatures, TaskFeatures>
        {
            private readonly ModuleDict<nn.Module<Tensor, Tensor>> project = new();
            private readonly IReadOnlyList<string> _sources;
            private readonly IReadOnlyList<string> _outputs;

            public Module(DistillationContext context, UserUnit spec) : base(spec.Name)
            {
                _sources = context.Sources;
                _outputs = spec.ReturnSources ? context.Sources : context.Targets;
                int channels = spec.UseLevelChannels ? context.Level.Channels : context.Channels;
                foreach (var task in _outputs) project.Add(task, nn.Conv2d(channels, context.Channels, 1));
                RegisterComponents();
            }

            public override TaskFeatures forward(TaskFeatures features)
            {
                var mean = stack(_sources.Select(s => features[s]).ToArray()).mean([0]);
                return TaskFeatures.From(_outputs, task => features[task] + project[task].call(mean));
            }
        }
    }
}
