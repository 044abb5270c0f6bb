using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Modules.DecoderFocused;
using MtlNotebooks.Modules.SingleTasking;
using MtlNotebooks.Tasks;
using MtlNotebooks.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.DecoderFocused;

[Collection("Torch")]
public sealed class DecoderFocusedTests
{
    private static MultiTaskNetBuilder Builder(IArchitecture architecture, bool auxiliary = false, int height = 64, int width = 64)
    {
        var builder = MultiTaskNet.CreateBuilder()
            .UseBackbone((architecture as IPreferredBackbone)?.DefaultBackbone(4, height, width) ?? Backbones.SmallResNet(4))   // MTAN's has two blocks per stage
            .AddTask(DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount))
            .AddTask(DenseTasks.Depth())
            .UseArchitecture(architecture)
            .WithSeed(1);
        return auxiliary ? builder.AddAuxiliaryTask(DenseTasks.SurfaceNormals()) : builder;
    }

    /// <summary>Every registered architecture that takes any backbone (ASTMT builds its own encoder: SingleTasking tests; the
    /// branched search needs trained baselines first: Branched tests).</summary>
    public static TheoryData<string> ArchitectureNames() =>
        new(Architectures.All.Where(kv => kv.Value is not (Astmt or MtlNotebooks.Modules.EncoderFocused.BranchedSearch)).Select(kv => kv.Key));

    [Theory]
    [MemberData(nameof(ArchitectureNames))]
    public void Forward_EveryArchitecture_GivesMainTasksAtInputSize(string name)
    {
        bool auxiliary = name != "single-task";
        using var model = Builder(Architectures.All[name], auxiliary, 64, 48).Build();   // TaskPrompter's ViT is built for the size
        using var scope = NewDisposeScope();
        var outputs = model.Network.call(randn(2, 3, 64, 48));
        Assert.Equal([2L, 5, 64, 48], outputs["semseg"].shape);
        Assert.Equal([2L, 1, 64, 48], outputs["depth"].shape);
    }

    public static TheoryData<string, string> DecoderFocusedOnEveryBackboneFamily()
    {
        var data = new TheoryData<string, string>();
        foreach (var backbone in new[] { "small-resnet", "resnet18", "resnet50", "mobilenet-v2", "hrnet-w18-small", "resnet18-fpn" })
            foreach (var architecture in new[] { "pad-net", "pap-net", "jtrl", "mti-net", "mti-net-without-fpm" })
                data.Add(architecture, backbone);
        return data;
    }

    [Theory]
    [MemberData(nameof(DecoderFocusedOnEveryBackboneFamily))]
    public void Forward_DecoderFocusedOnEveryBackboneFamily_GivesEveryPredictionAtItsScale(string architecture, string backbone)
    {
        var spec = Backbones.All[backbone];
        using var model = Builder(Architectures.All[architecture], auxiliary: true).UseBackbone(spec).Build();
        using var scope = NewDisposeScope();
        var outputs = model.Network.call(randn(2, 3, 64, 64));
        Assert.Equal([2L, 5, 64, 64], outputs["semseg"].shape);
        Assert.Equal([2L, 1, 64, 64], outputs["depth"].shape);
        // PAD-Net and PAP-Net predict once at the finest level; the MTI-Net family at every level, coarsest first.
        var strides = architecture.StartsWith("pa", StringComparison.Ordinal)
            ? [spec.Features.Finest.Stride]
            : spec.Features.Levels.Select(l => l.Stride).Reverse().ToArray();
        var expected = from stride in strides
                       from task in new[] { ("semseg", 5L), ("depth", 1L), ("normals", 3L) }
                       select (task.Item1, $"initial@stride{stride}", new[] { 2L, task.Item2, 64 / stride, 64 / stride });
        Assert.Equal(expected.Select(e => (e.Item1, e.Item2)), outputs.Intermediate.Select(p => (p.Task, p.Name)));
        foreach (var ((_, _, shape), prediction) in expected.Zip(outputs.Intermediate))
            Assert.Equal(shape, prediction.Output.shape);
    }

    [Fact]
    public void MtiNet_IntermediatePredictions_EveryTaskAtEveryScale()
    {
        using var model = Builder(Architectures.MtiNet(), auxiliary: true).Build();
        using var scope = NewDisposeScope();
        var outputs = model.Network.call(randn(1, 3, 64, 64));
        // Auxiliary tasks are predicted only in the front end (MTI-Net §3.4): no final output for normals.
        Assert.Equal(["semseg", "depth"], outputs.Tasks);
        var expected = from stride in new[] { 32, 16, 8, 4 } from task in new[] { "semseg", "depth", "normals" } select (task, $"initial@stride{stride}");
        Assert.Equal(expected, outputs.Intermediate.Select(p => (p.Task, p.Name)));
        var normalsAtStride8 = outputs.Intermediate.Single(p => p.Task == "normals" && p.Name == "initial@stride8");
        Assert.Equal([1L, 3, 8, 8], normalsAtStride8.Output.shape);
    }

    [Fact]
    public void MtiNet_FewerScales_SupervisesOnlyThoseScales()
    {
        using var model = Builder(Architectures.MtiNet(scales: 2)).Build();
        using var scope = NewDisposeScope();
        var outputs = model.Network.call(randn(1, 3, 32, 32));
        Assert.Equal(["initial@stride8", "initial@stride4"], outputs.Intermediate.Select(p => p.Name).Distinct());
    }

    [Fact]
    public void MtiNet_WithoutFpm_HasFewerParametersAndStillTrains()
    {
        using var with = Builder(Architectures.MtiNet()).Build();
        using var without = Builder(Architectures.MtiNet(propagation: FeaturePropagations.None())).Build();
        Assert.True(without.Network.ParameterCount() < with.Network.ParameterCount());
        Assert.Contains("w/o FPM", without.Plan.Architecture.Name);
    }

    private static (Tensor Images, TaskLabels Labels) Batch(int size = 32)
    {
        using var data = SyntheticDataset.Create(SyntheticSplit.Train, 2, size, size, seed: 3);
        var batch = data.GetBatch([0, 1]);
        return (batch.Images, batch.Labels);
    }

    [Theory]
    [InlineData("mti-net")]
    [InlineData("mti-net-without-fpm")]
    [InlineData("pad-net")]
    [InlineData("pap-net")]
    [InlineData("jtrl")]
    public void Backward_GradientsReachEveryParameter(string name)
    {
        using var model = Builder(Architectures.All[name], auxiliary: true).Build();
        using var scope = NewDisposeScope();
        var (images, labels) = Batch();
        var losses = model.ComputeLosses(model.Network.call(images), labels);
        losses.Stack().sum().backward();
        // Connected to the loss: every parameter gets a gradient (it may be exactly zero where a ReLU is inactive, e.g. in
        // an SE block with C/16 = 1 hidden unit, as in the reference at 18 channels).
        var missing = model.Network.named_parameters().Where(p => p.parameter.grad is null).Select(p => p.name).ToArray();
        Assert.True(missing.Length == 0, "no gradient for: " + string.Join(", ", missing));
        var nonZero = model.Network.named_parameters().Count(p => p.parameter.grad!.abs().sum().item<float>() > 0);
        Assert.True(nonZero > 0.95 * model.Network.named_parameters().Count(), $"only {nonZero} parameters have a non-zero gradient");
    }

    [Fact]
    public void ComputeLosses_AddsEveryIntermediatePredictionWithTheSameWeight()
    {
        using var model = Builder(Architectures.MtiNet(scales: 2)).Build();
        using var scope = NewDisposeScope();
        var (images, labels) = Batch();
        var outputs = model.Network.call(images);
        var losses = model.ComputeLosses(outputs, labels);
        var depth = new Depth();
        var expected = depth.Loss.Compute(outputs["depth"], labels["depth"]).item<float>()
                       + outputs.Intermediate.Where(p => p.Task == "depth").Sum(p =>
                           depth.Loss.Compute(nn.functional.interpolate(p.Output, [32, 32], mode: InterpolationMode.Bilinear, align_corners: false), labels["depth"]).item<float>());
        Assert.Equal(expected, losses["depth"].item<float>(), 4);
    }

    [Fact]
    public void Plan_MtiNetOnSingleLevelBackbone_NamesTheBackboneAndAFix()
    {
        var plan = Builder(Architectures.MtiNet()).UseBackbone(Backbones.SmallResNet(8, 2)).Plan();
        var problem = Assert.Single(plan.Problems);
        Assert.Contains("needs a backbone with >= 2 feature levels", problem);
        Assert.Contains("SmallResNet(width 8, blocks [2])", problem);
        Assert.Contains("scales: 1", problem);
    }

    [Fact]
    public void Plan_DistillationWithOneTask_IsRejectedAtEveryScale()
    {
        var plan = MultiTaskNet.CreateBuilder().UseBackbone(Backbones.SmallResNet(4)).AddTask(DenseTasks.Depth())
            .UseArchitecture(Architectures.MtiNet(scales: 2)).Plan();
        Assert.Equal(3, plan.Problems.Count); // distillation at strides 4 and 8; the FPM only at stride 8 (none after the finest scale)
        Assert.All(plan.Problems, p => Assert.Contains("UseArchitecture(MtiNet) at layer", p));
        Assert.Contains(plan.Problems, p => p.Contains("SpatialAttention distils between tasks and needs at least 2"));
    }

    /// <summary>A distillation unit written against the public API only, as a researcher would: every target receives the
    /// mean of 1x1-projected source features through a learnable gate.</summary>
    private sealed record GatedMean : IDistillationUnit
    {
        public string Name => "GatedMean";

        public nn.Module<TaskFeatures, TaskFeatures> Create(DistillationContext context) => new Unit(context);

        private sealed class Unit : nn.Module<TaskFeatures, TaskFeatures>
        {
            private readonly ModuleDict<nn.Module<Tensor, Tensor>> project = new();
            private readonly Parameter gate;
            private readonly DistillationContext _context;

            public Unit(DistillationContext context) : base("GatedMean")
            {
                _context = context;
                foreach (var source in context.Sources) project.Add(source, nn.Conv2d(context.Channels, context.Channels, 1));
                gate = nn.Parameter(zeros(context.Targets.Count));
                RegisterComponents();
            }

            public override TaskFeatures forward(TaskFeatures x) => TaskFeatures.From(_context.Targets, target =>
            {
                var mean = stack(_context.Sources.Select(s => project[s].call(x[s])).ToArray()).mean([0]);
                int index = _context.Targets.ToList().IndexOf(target);
                return x[target] + gate[index].sigmoid() * mean;
            });
        }
    }

    [Fact]
    public void CustomDistillationUnit_PlugsIntoMtiNetAndPadNet_AndTrains()
    {
        using var train = SyntheticDataset.Create(SyntheticSplit.Train, 8, 32, 32, seed: 5);
        using var validation = SyntheticDataset.Create(SyntheticSplit.Validation, 4, 32, 32, seed: 5);
        foreach (var architecture in new IArchitecture[] { Architectures.MtiNet(distillation: new GatedMean()), Architectures.PadNet(new GatedMean()) })
        {
            using var model = Builder(architecture, auxiliary: true).Build();
            Assert.Contains(model.Network.named_parameters(), p => p.name.EndsWith(".gate", StringComparison.Ordinal));
            var history = Trainer.Fit(model, train, validation, new TrainingOptions { Epochs = 1, BatchSize = 4 });
            Assert.All(history.Steps, s => Assert.True(double.IsFinite(s.TotalLoss)));
            Assert.Equal(2, history.Final.Metrics.Count(m => m.IsPrimary));
        }
    }

    [Fact]
    public void Fpm_PaperAndReferenceGrouping_DifferButKeepShapes()
    {
        manual_seed(0);
        var context = new PropagationContext(["a", "b", "c"], 8, new FeatureLevel("layer2", 8, 8));
        using var reference = new FpmModule(context, new FpmOptions(FpmGrouping.ReferenceCode));
        using var paper = new FpmModule(context, new FpmOptions(FpmGrouping.Paper));
        paper.load_state_dict(reference.state_dict());
        using var scope = NewDisposeScope();
        var input = TaskFeatures.From(context.Tasks, _ => randn(2, 8, 4, 4));
        var a = reference.call(input);
        var b = paper.call(input);
        Assert.Equal(input["b"].shape, a["b"].shape);
        Assert.False(a["b"].allclose(b["b"]));
    }

    /// <summary>The survey code's NYUD config with edges and normals as auxiliary tasks gives the FPM semseg, normals,
    /// edge, depth (its utils/config.py order); main-then-auxiliary made the authors' file give outputs 1 % off.</summary>
    [Fact]
    public void MtiNet_WithAuxiliaryTasks_PropagatesInTheReferenceCodesTaskOrder()
    {
        var seen = new List<IReadOnlyList<string>>();
        var recording = new RecordingPropagation(seen);
        using var model = Builder(Architectures.MtiNet(propagation: recording), auxiliary: true).AddAuxiliaryTask(DenseTasks.Edges()).Build();
        Assert.NotEmpty(seen);
        Assert.All(seen, tasks => Assert.Equal(["semseg", "normals", "edge", "depth"], tasks));
        Assert.Equal(["semseg", "normals", "edge", "depth", "mine", "other"],
            ReferenceTaskOrder.Of(["mine", "depth", "other", "edge", "semseg", "normals"]));
    }

    private sealed class RecordingPropagation(List<IReadOnlyList<string>> seen) : IFeaturePropagation
    {
        private readonly Fpm _fpm = FeaturePropagations.Fpm();
        public string Name => "recording FPM";

        public nn.Module<TaskFeatures, TaskFeatures> Create(PropagationContext context)
        {
            seen.Add(context.Tasks);
            return _fpm.Create(context);
        }
    }

    [Fact]
    public void SpatialAttention_ZeroMessages_LeaveFeaturesUnchanged()
    {
        var context = new DistillationContext(["a", "b"], ["a"], 4, new FeatureLevel("layer1", 4, 4));
        using var unit = new SpatialAttentionModule(context, new SpatialAttentionOptions());
        using (no_grad())
            foreach (var (name, p) in unit.named_parameters().Where(p => p.name.StartsWith("message", StringComparison.Ordinal)))
                p.zero_();
        using var scope = NewDisposeScope();
        var input = TaskFeatures.From(context.Sources, _ => randn(1, 4, 3, 3));
        var output = unit.call(input);
        Assert.Equal(["a"], output.Tasks);
        Assert.True(output["a"].allclose(input["a"]));
    }
}
