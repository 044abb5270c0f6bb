using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Modules.EncoderFocused;
using MtlNotebooks.Training;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.EncoderFocused;

/// <summary>Cross-stitch networks, NDDR-CNN and MTAN (survey §2.2): the units start as the papers initialise them, the
/// architectures build on the staged backbones and refuse the others by name, and they train with any balancer.</summary>
[Collection("Torch")]
public sealed class EncoderFocusedTests
{
    private static MultiTaskNetBuilder Builder(IArchitecture architecture, IBackbone? backbone = null) => MultiTaskNet.CreateBuilder()
        .UseBackbone(backbone ?? (architecture as IPreferredBackbone)?.DefaultBackbone(4) ?? Backbones.SmallResNet(4))
        .AddTask(DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount))
        .AddTask(DenseTasks.Depth())
        .UseArchitecture(architecture)
        .WithSeed(1);

    [Theory]
    [InlineData(0.9, 0.1)]     // NYUD in the survey code
    [InlineData(0.8, 0.05)]    // PASCAL
    public void CrossStitchUnit_StartsAlphaOnTheDiagonalBetaOffIt(double alpha, double beta)
    {
        using var unit = new CrossStitchUnit(["a", "b", "c"], 6, alpha, beta);
        foreach (var i in new[] { "a", "b", "c" })
            foreach (var j in new[] { "a", "b", "c" })
                Assert.All(unit.Weight(i, j).data<float>().ToArray(), w => Assert.Equal(i == j ? alpha : beta, w, 6));
    }

    [Fact]
    public void SurveyInitialisation_PerDataSet()
    {
        Assert.Equal((0.9, 0.1), CrossStitch.SurveyInitialisation(DataSetPresets.Nyud.Name));
        Assert.Equal((0.8, 0.05), CrossStitch.SurveyInitialisation(DataSetPresets.Pascal.Name));
        Assert.Equal((0.8, 0.05), CrossStitch.SurveyInitialisation(DataSetPresets.SyntheticPascal.Name));
    }

    [Fact]
    public void CrossStitch_AlphaOneBetaZero_KeepsTheTowersIndependent()
    {
        using var model = Builder(Architectures.CrossStitch(alpha: 1, beta: 0)).Build();
        using var scope = NewDisposeScope();
        model.Network.call(randn(2, 3, 32, 32))["depth"].square().mean().backward();
        var named = model.Network.named_parameters().ToArray();
        var crossed = named.Where(p => (p.name.StartsWith("backbone.semseg.", StringComparison.Ordinal) || p.name.StartsWith("heads.semseg.", StringComparison.Ordinal))
                                       && p.parameter.grad is { } g && g.abs().sum().item<float>() > 0).Select(p => p.name).ToArray();
        Assert.True(crossed.Length == 0, "the depth loss reached the semseg tower: " + string.Join(", ", crossed));
        Assert.Contains(named, p => p.name.StartsWith("backbone.depth.", StringComparison.Ordinal) && p.parameter.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void NddrLayer_Initialised_IsAlphaOwnPlusBetaOthers()
    {
        var tasks = new[] { "a", "b", "c" };
        using var layer = new NddrLayer(tasks, 5, 0.9, 0.1);
        using var scope = NewDisposeScope();
        var x = tasks.ToDictionary(t => t, _ => randn(2, 5, 4, 4));
        var joined = cat(tasks.Select(t => x[t]).ToArray(), 1);
        layer.eval();    // BN in its initial state: running mean 0, variance 1, weight 1, bias 0
        var outputs = layer.call(x);
        foreach (var t in tasks)
        {
            var expected = 0.9 * x[t] + 0.1 * tasks.Where(o => o != t).Select(o => x[o]).Aggregate((p, q) => p + q);
            var conv = nn.functional.conv2d(joined, layer.ConvWeight(t));
            Assert.True(conv.allclose(expected, 1e-5, 1e-5), $"conv of {t}");
            Assert.True(outputs[t].allclose(nn.functional.relu(expected / Math.Sqrt(1 + 1e-5)), 1e-5, 1e-5), $"layer of {t}");
        }
    }

    [Fact]
    public void Mtan_Masks_LieStrictlyBetweenZeroAndOne()
    {
        using var model = Builder(Architectures.Mtan()).Build();
        using var scope = NewDisposeScope();
        var masks = ((MtanModule)model.Network).Masks(randn(2, 3, 32, 32));
        Assert.Equal(4, masks.Count);
        foreach (var mask in masks.SelectMany(m => m.Values))
        {
            Assert.True(mask.gt(0).all().item<bool>());
            Assert.True(mask.lt(1).all().item<bool>());
        }
    }

    public static TheoryData<string, string> ArchitecturesAndBalancers()
    {
        var data = new TheoryData<string, string>();
        foreach (var architecture in new[] { "cross-stitch", "nddr-cnn", "mtan" })
            foreach (var balancer in new[] { "uniform", "uncertainty", "gradnorm", "pcgrad" }) data.Add(architecture, balancer);
        return data;
    }

    [Theory]
    [MemberData(nameof(ArchitecturesAndBalancers))]
    public void Fit_EveryBalancer_TrainsAStepWithFiniteLoss(string architecture, string balancer)
    {
        using var train = SyntheticDataset.Create(SyntheticSplit.Train, 4, 32, 32, seed: 3);
        using var validation = SyntheticDataset.Create(SyntheticSplit.Validation, 2, 32, 32, seed: 3);
        using var model = Builder(Architectures.All[architecture]).AddTask(DenseTasks.SurfaceNormals()).UseBalancer(Balancers.All[balancer]).Build();
        var history = Trainer.Fit(model, train, validation, new TrainingOptions { Epochs = 1, BatchSize = 4, Seed = 1, Optimizer = Optimizers.Sgd(0.01, momentum: 0.9) });
        var step = Assert.Single(history.Steps);
        Assert.True(double.IsFinite(step.TotalLoss), $"{architecture} × {balancer}: loss {step.TotalLoss}");
    }

    [Theory]
    [InlineData("cross-stitch", "cross_stitch.")]
    [InlineData("nddr-cnn", "nddr.")]
    public void ParameterGroups_FusionUnitsTrainAtAHundredTimesTheRate(string architecture, string prefix)
    {
        using var model = Builder(Architectures.All[architecture]).Build();
        var groups = model.Network.ParameterGroups();
        var fusion = groups.Single(g => g.Name == "fusion");
        Assert.Equal(100, fusion.LearningRateScale);
        var expected = model.Network.named_parameters().Where(p => p.name.StartsWith(prefix, StringComparison.Ordinal)).Select(p => p.parameter.Handle);
        Assert.Equal(expected.Order(), fusion.Parameters.Select(p => p.Handle).Order());
        Assert.Equal(model.Network.parameters().Count(), groups.Sum(g => g.Parameters.Count));
    }

    [Fact]
    public void CrossStitch_InitialisedFromSingleTaskNetworks_CopiesTowersAndHeads()
    {
        using var single = Builder(Architectures.SingleTask()).WithSeed(5).Build();
        using var stitched = Builder(Architectures.CrossStitch()).Build();
        ((TaskTowersModule)stitched.Network).InitialiseFromSingleTask(single.Network);
        var source = single.Network.state_dict();
        foreach (var (key, value) in stitched.Network.state_dict().Where(e => !e.Key.StartsWith("cross_stitch.", StringComparison.Ordinal)))
        {
            var parts = key.Split('.', 3);   // backbone|heads, task, rest
            var from = $"networks.{parts[1]}.{(parts[0] == "heads" ? "head" : "backbone")}.{parts[2]}";
            Assert.True(value.equal(source[from]).all().item<bool>(), $"{key} differs from {from}");
        }
    }

    [Theory]
    [InlineData("cross-stitch", "cross_stitch.")]
    [InlineData("nddr-cnn", "nddr.")]
    public void AfterBaselines_StartsTowersAndHeadsFromTheTrainedSingleTaskNetworks_FusionUnitsFromTheirInitialisation(string architecture, string fusion)
    {
        using var single = Builder(Architectures.SingleTask()).WithSeed(5).Build();
        using var images = randn(2, 3, 32, 32);
        var started = ((INeedsTrainedBaselines)Architectures.All[architecture]).AfterBaselines(single.Network, images);
        var source = single.Network.state_dict().ToDictionary(e => e.Key, e => e.Value.detach().clone());
        single.Dispose();   // the architecture holds copies

        using var model = Builder(started).Build();
        using var scratch = Builder(Architectures.All[architecture]).Build();
        var fresh = scratch.Network.state_dict();
        int copied = 0;
        foreach (var (key, value) in model.Network.state_dict())
        {
            if (key.StartsWith(fusion, StringComparison.Ordinal))
            {
                Assert.True(value.equal(fresh[key]).all().item<bool>(), $"{key}: the fusion unit keeps its α/β initialisation");
                continue;
            }
            var parts = key.Split('.', 3);
            Assert.True(value.equal(source[$"networks.{parts[1]}.{(parts[0] == "heads" ? "head" : "backbone")}.{parts[2]}"]).all().item<bool>(), key);
            copied++;
        }
        Assert.True(copied > 0);

        var fromScratch = architecture == "cross-stitch" ? (INeedsTrainedBaselines)Architectures.CrossStitch(startFromSingleTask: false) : Architectures.NddrCnn(startFromSingleTask: false);
        Assert.Same(fromScratch, fromScratch.AfterBaselines(model.Network, images));
        var error = Assert.Throws<ArgumentException>(() => ((INeedsTrainedBaselines)Architectures.All[architecture]).AfterBaselines(model.Network, images));
        Assert.Contains("backbone + head per task", error.Message);
    }

    public static TheoryData<string, string> ArchitecturesOnStagedBackbones()
    {
        var data = new TheoryData<string, string>();
        foreach (var backbone in new[] { "resnet18-dilated", "resnet50", "se-resnet26", "mobilenet-v2" })
            foreach (var architecture in new[] { "cross-stitch", "nddr-cnn", "mtan" }) data.Add(architecture, backbone);
        return data;
    }

    [Theory]
    [MemberData(nameof(ArchitecturesOnStagedBackbones))]
    public void Forward_OnEveryStagedBackboneFamily_GivesOutputsAtInputSize(string architecture, string backbone)
    {
        using var model = Builder(Architectures.All[architecture], Backbones.All[backbone]).Build();
        using var scope = NewDisposeScope();
        var outputs = model.Network.call(randn(2, 3, 64, 48));
        Assert.Equal([2L, 5, 64, 48], outputs["semseg"].shape);
        Assert.Equal([2L, 1, 64, 48], outputs["depth"].shape);
    }

    [Theory]
    [InlineData("cross-stitch", "hrnet-w18-small", "parallel branches")]
    [InlineData("nddr-cnn", "resnet18-fpn", "top-down pathway")]
    [InlineData("mtan", "hrnet-w18-small", "parallel branches")]
    public void Build_UnstagedBackbone_NamesItAndSaysWhy(string architecture, string backbone, string why)
    {
        var problem = Assert.Single(Assert.Throws<BuildException>(() => Builder(Architectures.All[architecture], Backbones.All[backbone]).Build()).Problems);
        Assert.Contains(Backbones.All[backbone].Name, problem);
        Assert.Contains(why, problem);
    }

    [Fact]
    public void Build_MtanOnOneBlockPerStage_SaysItNeedsTwo()
    {
        var problem = Assert.Single(Assert.Throws<BuildException>(() => Builder(Architectures.Mtan(), Backbones.SmallResNet(4)).Build()).Problems);
        Assert.Contains("at least two blocks", problem);
        Assert.Contains("SmallResNet(width 4, blocks [1, 1, 1, 1])", problem);
    }
}
