using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Modules.Heads;
using MtlNotebooks.Training;
using static TorchSharp.torch;

// HeadZoo as BackboneZoo: a namespace MtlNotebooks.Tests.Heads would hide the Heads factory from every test.
namespace MtlNotebooks.Tests.HeadZoo;

[Collection("Torch")]
public sealed class HeadTests
{
    // The survey code's HighResolutionHead([18, 36, 72, 144], 40): 270·270 + 270 + 2·270 + 270·40 + 40 = 84,550.
    [Fact]
    public void HRNetHead_OnHRNet18_HasTheReferenceParametersAndStride4Output()
    {
        var features = Backbones.HRNetW18Small().Features;
        using var head = new HRNetHeadModule(features, 40);
        Assert.Equal(84_550, head.parameters().Sum(p => p.numel()));
        Assert.Equal(["last_layer.0.weight", "last_layer.0.bias", "last_layer.1.weight", "last_layer.1.bias", "last_layer.3.weight", "last_layer.3.bias"],
            head.named_parameters().Select(p => p.name));
        using var scope = NewDisposeScope();
        var maps = new FeatureMaps(features.Levels.Select(l => randn(2, l.Channels, 64 / l.Stride, 64 / l.Stride)));
        Assert.Equal([2L, 40, 16, 16], head.call(maps).shape);
    }

    // torchvision.models.segmentation.deeplabv3.DeepLabHeadModule(2048, 21): 16,130,837 parameters, 44 state-dict entries.
    [Fact]
    public void DeepLabHead_OnResNet50_EqualsTorchVisionsDeepLabHead()
    {
        var features = Backbones.ResNet50(outputStride: 8, multiScale: false).Features;
        using var head = new DeepLabHeadModule(features, 21, new DeepLabHeadOptions());
        Assert.Equal(16_130_837, head.parameters().Sum(p => p.numel()));
        var keys = head.state_dict().Keys.ToArray();
        Assert.True(keys.Length == 44, string.Join(", ", keys));
        foreach (var key in new[] { "0.convs.0.0.weight", "0.convs.3.1.running_var", "0.convs.4.1.weight", "0.project.0.weight", "1.weight", "2.running_var", "4.bias" })
            Assert.Contains(key, keys);
    }

    [Theory]
    [InlineData("conv")]
    [InlineData("hrnet")]
    [InlineData("deeplab")]
    [InlineData("deeplab-v3plus")]
    [InlineData("residual-blocks")]
    [InlineData("ubernet")]
    public void Heads_WithHardSharing_TrainOneStep(string name)
    {
        using var train = SyntheticDataset.Create(SyntheticSplit.Train, 2, 64, 64, seed: 4);
        using var validation = SyntheticDataset.Create(SyntheticSplit.Validation, 2, 64, 64, seed: 4);
        var head = name switch
        {
            "deeplab" => Heads.DeepLab(16, 2, 4),
            "deeplab-v3plus" => Heads.DeepLabV3Plus(16, 8, 2, 4),
            _ => Heads.All[name],
        };
        using var model = MultiTaskNet.CreateBuilder()
            .UseBackbone(Backbones.All["hrnet-w18-small"])
            .AddTask(DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount))
            .AddTask(DenseTasks.Depth())
            .UseArchitecture(Architectures.HardSharing(head))
            .WithSeed(1)
            .Build();
        var history = Trainer.Fit(model, train, validation, new TrainingOptions { Epochs = 1, BatchSize = 2 });
        Assert.True(double.IsFinite(Assert.Single(history.Steps).TotalLoss));
        using var scope = NewDisposeScope();
        model.Network.eval();
        using var _ = no_grad();
        Assert.Equal([1L, SyntheticScenes.SemanticClassCount, 64, 64], model.Network.call(zeros(1, 3, 64, 64))["semseg"].shape);
    }

    [Fact]
    public void DeepLab_BadOptions_AreNamedForTheTask()
    {
        var plan = MultiTaskNet.CreateBuilder().UseBackbone(Backbones.ResNet18(0.125)).AddTask(DenseTasks.Depth())
            .UseArchitecture(Architectures.HardSharing(Heads.DeepLab(0, 12, 0))).Plan();
        Assert.Contains(plan.Problems, p => p.Contains("Heads.DeepLab for task 'depth': channels must be >= 1, got 0."));
        Assert.Contains(plan.Problems, p => p.Contains("every rate must be >= 1, got [12, 0]"));
    }

    // torchvision's ASPP(2048, [6, 12, 18], 256) has 15,535,104 parameters; + low-level 1x1 256→48 and BN (12,384),
    // two 3x3 convs 304→256→256 with BN (1,291,264) and the 1x1 classifier 256→21 (5,397).
    [Fact]
    public void DeepLabV3PlusHead_OnResNet50_HasTheDecodersParametersAndStride4Output()
    {
        var features = Backbones.ResNet50(outputStride: 16).Features;
        using var head = (DeepLabV3PlusHeadModule)Heads.DeepLabV3Plus().Create(new HeadContext("semseg", 21, features));
        Assert.Equal(16_844_149, head.parameters().Sum(p => p.numel()));
        using var scope = NewDisposeScope();
        head.eval();
        var maps = new FeatureMaps(features.Levels.Select(l => randn(1, l.Channels, 128 / l.Stride, 128 / l.Stride)));
        Assert.Equal([1L, 21, 32, 32], head.call(maps).shape);
    }

    [Fact]
    public void DeepLabV3Plus_OnASingleLevelBackbone_PointsToDeepLab()
    {
        var plan = MultiTaskNet.CreateBuilder().UseBackbone(Backbones.ResNet18(0.125, multiScale: false)).AddTask(DenseTasks.Depth())
            .UseArchitecture(Architectures.HardSharing(Heads.DeepLabV3Plus(16, 8))).Plan();
        Assert.Contains(plan.Problems, p => p.Contains("Heads.DeepLabV3Plus for task 'depth': needs low-level features") && p.Contains("Heads.DeepLab()"));
    }

    // On HRNet-18 (270 channels at stride 4), 18 channels: block 0 = 3x3 270→18 (43,740) + 3x3 18→18 (2,916) + 1x1
    // shortcut 270→18 (4,860) + three BNs (108); block 1 = 2 × (2,916 + 36); classifier 18·40 + 40.
    [Fact]
    public void ResidualBlocksHead_OnHRNet18_CountsByHand()
    {
        using var head = Heads.ResidualBlocks().Create(new HeadContext("semseg", 40, Backbones.HRNetW18Small().Features));
        Assert.Equal(51_624 + 5_904 + 760, head.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void UberNetHead_IsTheSumOfPerLevelLinearClassifiers()
    {
        var features = Backbones.HRNetW18Small().Features;
        using var head = Heads.UberNet().Create(new HeadContext("semseg", 40, features));
        Assert.Equal(270 * 40 + 4 * 40, head.parameters().Sum(p => p.numel()));
        // Linear in the features: zero maps give the sum of the four biases at every pixel.
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var output = head.call(new FeatureMaps(features.Levels.Select(l => zeros(1, l.Channels, 64 / l.Stride, 64 / l.Stride))));
        var biases = head.named_parameters().Where(p => p.name.EndsWith("bias", StringComparison.Ordinal)).Select(p => (Tensor)p.parameter).Aggregate((a, b) => a + b);
        Assert.Equal([1L, 40, 16, 16], output.shape);
        Assert.True((output[0, .., 5, 7] - biases).abs().max().item<float>() < 1e-6);
    }
}
