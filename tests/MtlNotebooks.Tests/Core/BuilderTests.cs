using MtlNotebooks.Tasks;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Core;

[Collection("Torch")]
public sealed class BuilderTests
{
    private static MultiTaskNetBuilder ThreeTasks(int width = 8) => MultiTaskNet.CreateBuilder()
        .UseBackbone(Backbones.SmallResNet(width))
        .AddTask(DenseTasks.SemanticSegmentation(5))
        .AddTask(DenseTasks.Depth())
        .AddTask(DenseTasks.SurfaceNormals());

    [Fact]
    public void Build_NoBackboneAndDuplicateTask_ListsBothProblemsInOneMessage()
    {
        var builder = MultiTaskNet.CreateBuilder().AddTask(DenseTasks.Depth()).AddTask(DenseTasks.Depth());
        var error = Assert.Throws<BuildException>(() => builder.Build());
        Assert.Equal(2, error.Problems.Count);
        Assert.Contains("(2 problems)", error.Message);
        Assert.Contains("UseBackbone: no backbone", error.Message);
        Assert.Contains("task 'depth' is added 2 times", error.Message);
    }

    [Fact]
    public void Plan_Empty_ExplainsWhatToAdd()
    {
        var plan = MultiTaskNet.CreateBuilder().Plan();
        Assert.False(plan.IsValid);
        Assert.Contains(plan.Problems, p => p.Contains("Backbones.SmallResNet()"));
        Assert.Contains(plan.Problems, p => p.Contains("DenseTasks.Depth()"));
    }

    [Fact]
    public void Plan_ManyProblems_NamesEachThingAtFault()
    {
        var plan = MultiTaskNet.CreateBuilder()
            .UseBackbone(Backbones.SmallResNet(0))
            .AddTask(DenseTasks.SemanticSegmentation(1))
            .AddAuxiliaryTask(DenseTasks.Depth())
            .AddTask(DenseTasks.Depth())
            .UseBalancer(Balancers.FixedWeights(("edge", 50)))
            .WithDevice("cuda")
            .Plan();
        Assert.Contains(plan.Problems, p => p.Contains("width must be >= 1, got 0"));
        Assert.Contains(plan.Problems, p => p.Contains("task 'semseg'") && p.Contains("at least 2 classes"));
        Assert.Contains(plan.Problems, p => p.Contains("task 'depth' is already a main task"));
        Assert.Contains(plan.Problems, p => p.Contains("unknown task 'edge'"));
        Assert.Contains(plan.Problems, p => p.StartsWith("WithDevice: 'cuda'") && p.Contains("CUDA is not available"));
    }

    [Fact]
    public void Plan_SingleTaskWithAuxiliaryTask_IsRejected()
    {
        var plan = ThreeTasks().AddAuxiliaryTask(new Depth("aux_depth")).UseArchitecture(Architectures.SingleTask()).Plan();
        var problem = Assert.Single(plan.Problems);
        Assert.Contains("'aux_depth'", problem);
    }

    [Fact]
    public void Plan_BadDeviceName_IsAProblemNotACrash()
    {
        var plan = ThreeTasks().WithDevice("gpu-please").Plan();
        Assert.Contains(plan.Problems, p => p.Contains("'gpu-please' is not a device name"));
    }

    [Fact]
    public void UseBalancer_DoesNotMutateOriginalBuilder()
    {
        var baseline = ThreeTasks();
        var weighted = baseline.UseBalancer(Balancers.FixedWeights(("normals", 10)));
        Assert.NotSame(baseline, weighted);
        Assert.Equal("Fixed (uniform)", baseline.Balancer.Name);
        Assert.Equal("Fixed (normals 10)", weighted.Balancer.Name);
        Assert.Equal(3, baseline.Tasks.Count);
    }

    [Fact]
    public void Build_Twice_ReturnsIndependentNetworksWithTheSameInitialisation()
    {
        using var a = ThreeTasks().WithSeed(3).Build();
        using var b = ThreeTasks().WithSeed(3).Build();
        var pa = a.Network.parameters().First();
        var pb = b.Network.parameters().First();
        Assert.True(pa.eq(pb).all().item<bool>());
        using (no_grad()) pa.add_(1.0);
        Assert.False(pa.eq(pb).all().item<bool>());
    }

    [Fact]
    public void HardSharing_Forward_GivesEveryTaskItsChannelsAtInputSize()
    {
        using var model = ThreeTasks().AddAuxiliaryTask(new Depth("aux_depth")).Build();
        using var scope = NewDisposeScope();
        var outputs = model.Network.call(randn(2, 3, 48, 40));
        Assert.Equal(["semseg", "depth", "normals", "aux_depth"], outputs.Tasks);
        Assert.Equal([2L, 5, 48, 40], outputs["semseg"].shape);
        Assert.Equal([2L, 1, 48, 40], outputs["depth"].shape);
        Assert.Equal([2L, 3, 48, 40], outputs["normals"].shape);
        var error = Assert.Throws<KeyNotFoundException>(() => outputs["edge"]);
        Assert.Contains("known: semseg, depth, normals, aux_depth", error.Message);
    }

    [Fact]
    public void Backbone_PublishedFeatureLevels_EqualProducedShapes()
    {
        var spec = Backbones.SmallResNet(8);
        using var backbone = spec.Create();
        using var scope = NewDisposeScope();
        var maps = backbone.call(randn(1, 3, 64, 64));
        Assert.Equal(spec.Features.Count, maps.Count);
        for (int i = 0; i < maps.Count; i++)
        {
            var level = spec.Features[i];
            Assert.Equal([1L, level.Channels, 64 / level.Stride, 64 / level.Stride], maps[i].shape);
        }
        Assert.Equal([4, 8, 16, 32], spec.Features.Levels.Select(l => l.Stride));
        Assert.Equal([8, 16, 32, 64], spec.Features.Levels.Select(l => l.Channels));
    }

    [Fact]
    public void ParameterCounts_SingleTaskHasOneBackbonePerTask_HardSharingOne()
    {
        using var backbone = Backbones.SmallResNet(8).Create();
        long backboneParameters = backbone.parameters().Sum(p => p.numel());
        using var single = ThreeTasks().UseArchitecture(Architectures.SingleTask()).Build();
        using var shared = ThreeTasks().Build();
        Assert.Equal(backboneParameters, shared.Network.SharedParameters().Sum(p => p.numel()));
        Assert.Empty(single.Network.SharedParameters());
        // Same heads in both; the single-task baselines hold two more copies of the backbone.
        Assert.Equal(2 * backboneParameters, single.Network.ParameterCount() - shared.Network.ParameterCount());
    }

    [Fact]
    public void BasicBlockBackbone_ParameterCount_MatchesHandCount()
    {
        // width 8, one basic block per stage. conv-BN = k²·cin·cout + 2·cout.
        static long ConvBn(int k, int cin, int cout) => (long)k * k * cin * cout + 2 * cout;
        long stem = ConvBn(3, 3, 8) + ConvBn(3, 8, 8);
        long stage1 = ConvBn(3, 8, 8) + ConvBn(3, 8, 8);
        long Stage(int cin, int cout) => ConvBn(3, cin, cout) + ConvBn(3, cout, cout) + ConvBn(1, cin, cout);
        long expected = stem + stage1 + Stage(8, 16) + Stage(16, 32) + Stage(32, 64);
        using var backbone = Backbones.SmallResNet(8).Create();
        Assert.Equal(expected, backbone.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Summary_ShowsPlanShapesAndParameters()
    {
        using var model = ThreeTasks().Build();
        var summary = model.Summary(32, 32);
        Assert.Contains("HardSharing", summary);
        Assert.Contains("normals", summary);
        Assert.Contains("[1, 3, 32, 32]", summary);
        Assert.Contains($"{model.Network.ParameterCount():N0}", summary);
    }
}
