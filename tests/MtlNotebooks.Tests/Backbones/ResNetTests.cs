using MtlNotebooks.Modules.Backbones;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.BackboneZoo;

[Collection("Torch")]
public sealed class ResNetTests
{
    // torchvision.models.resnetNN(): sum(p.numel() for p in model.parameters()).
    [Theory]
    [InlineData(18, 11_689_512)]
    [InlineData(34, 21_797_672)]
    [InlineData(50, 25_557_032)]
    [InlineData(101, 44_549_160)]
    public void ParameterCount_WithImageNetClassifier_EqualsTorchVision(int depth, long expected)
    {
        using var module = new ResNetModule(new ResNetOptions(depth, IncludeClassifier: true));
        Assert.Equal(expected, module.parameters().Sum(p => p.numel()));
    }

    // SE-ResNet-50 / -101 of the SENet paper (Hu et al. 2018, Table 2 lists 28.1M for SE-ResNet-50); ResNet-26 = torchvision's
    // ResNet(Bottleneck, [2, 2, 2, 2]).
    [Theory]
    [InlineData(26, false, 15_995_176)]
    [InlineData(50, true, 28_088_024)]
    [InlineData(101, true, 49_326_872)]
    public void ParameterCount_ResNet26AndSEResNets_EqualReference(int depth, bool squeezeExcitation, long expected)
    {
        using var module = new ResNetModule(new ResNetOptions(depth, IncludeClassifier: true, SqueezeExcitation: squeezeExcitation));
        Assert.Equal(expected, module.parameters().Sum(p => p.numel()));
    }

    // torchvision.models.mobilenet_v2(): 3,504,872 parameters, 314 state-dict entries.
    [Fact]
    public void MobileNetV2_WithClassifier_EqualsTorchVision()
    {
        using var module = new MobileNetV2Module(new MobileNetV2Options(IncludeClassifier: true));
        Assert.Equal(3_504_872, module.parameters().Sum(p => p.numel()));
        var keys = module.state_dict().Keys.ToHashSet();
        Assert.Equal(314, keys.Count);
        foreach (var key in new[] { "features.0.0.weight", "features.1.conv.0.0.weight", "features.1.conv.1.weight", "features.2.conv.3.running_mean",
                     "features.18.1.bias", "classifier.1.weight" })
            Assert.Contains(key, keys);
        Assert.Equal([24, 32, 96, 1280], Backbones.MobileNetV2().Features.Levels.Select(l => l.Channels));
    }

    [Fact]
    public void StateDict_ResNet50_HasTorchVisionKeys()
    {
        using var module = new ResNetModule(new ResNetOptions(50, WidthMultiplier: 0.125, IncludeClassifier: true));
        var keys = module.state_dict().Keys.ToHashSet();
        Assert.Equal(320, keys.Count); // len(torchvision.models.resnet50().state_dict())
        foreach (var key in new[] { "conv1.weight", "bn1.running_var", "layer1.0.downsample.0.weight", "layer1.0.downsample.1.bias",
                     "layer3.5.conv3.weight", "layer4.2.bn3.num_batches_tracked", "fc.weight", "fc.bias" })
            Assert.Contains(key, keys);
    }

    [Theory]
    [InlineData(32, new[] { 4, 8, 16, 32 })]
    [InlineData(16, new[] { 4, 8, 16, 16 })]
    [InlineData(8, new[] { 4, 8, 8, 8 })]
    public void Features_OutputStride_DilatesLaterStagesAndMatchesForward(int outputStride, int[] strides)
    {
        var spec = Backbones.ResNet50(0.125, outputStride);
        Assert.Equal(strides, spec.Features.Levels.Select(l => l.Stride));
        Assert.Equal([32, 64, 128, 256], spec.Features.Levels.Select(l => l.Channels));
        using var module = spec.Create();
        using var scope = NewDisposeScope();
        var maps = module.call(randn(1, 3, 64, 64));
        Assert.Equal(strides.Select(s => 64L / s), maps.Select(m => m.shape[2]));
    }

    [Fact]
    public void Features_SingleScale_EmitsLayer4Only()
    {
        var spec = Backbones.ResNet18(0.25, multiScale: false);
        var level = Assert.Single(spec.Features.Levels);
        Assert.Equal(new FeatureLevel("layer4", 128, 32), level);
    }

    [Fact]
    public void Logits_WithoutClassifier_ExplainsTheOption()
    {
        using var module = new ResNetModule(new ResNetOptions(18, 0.125));
        var error = Assert.Throws<InvalidOperationException>(() => module.Logits(zeros(1, 3, 32, 32)));
        Assert.Contains("IncludeClassifier", error.Message);
    }

    [Fact]
    public void Validate_BadOptions_NamesEachOne()
    {
        var problems = Backbones.ResNet(new ResNetOptions(Depth: 20, WidthMultiplier: 0, OutputStride: 4)).Validate().ToArray();
        Assert.Equal(3, problems.Length);
        Assert.Contains(problems, p => p.Contains("depth must be one of 18, 26, 34, 50, 101, 152, got 20"));
        Assert.Contains(problems, p => p.Contains("widthMultiplier must be > 0"));
        Assert.Contains(problems, p => p.Contains("outputStride must be 8, 16 or 32, got 4"));
    }
}
