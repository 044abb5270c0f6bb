using MtlNotebooks.Modules.Backbones;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.BackboneZoo;

[Collection("Torch")]
public sealed class FpnTests
{
    [Theory]
    // torchvision: IntermediateLayerGetter(resnet, layer1..4) + FeaturePyramidNetwork(in_channels, 256), no extra block.
    [InlineData(18, 13_783_616)]
    [InlineData(50, 26_852_416)]
    public void ParameterCount_EqualsTorchVisionBackboneWithFpn(int depth, long expected)
    {
        var spec = depth == 18 ? Backbones.ResNet18Fpn() : Backbones.ResNet50Fpn();
        using var module = spec.Create();
        Assert.Equal(expected, module.parameters().Sum(p => p.numel()));
        Assert.Contains("fpn.inner_blocks.3.0.weight", module.state_dict().Keys);
        Assert.Contains("body.layer4.1.conv2.weight", module.state_dict().Keys);
    }

    [Fact]
    public void Features_AreThePyramidLevels_AtTheBottomUpStrides()
    {
        var spec = Backbones.ResNet50Fpn(0.125);
        Assert.Equal("P2 (32 ch, stride 4), P3 (32 ch, stride 8), P4 (32 ch, stride 16), P5 (32 ch, stride 32)", spec.Features.ToString());
    }

    [Fact]
    public void TopDownPathway_CarriesCoarseInformationToTheFinestLevel()
    {
        // Only the coarsest bottom-up map differs between the two inputs' pyramids if P2 depends on it through the top-down sum.
        using var module = Backbones.ResNet18Fpn(0.125).Create();
        using var scope = NewDisposeScope();
        module.eval();
        var image = randn(1, 3, 64, 64);
        var maps = module.call(image);
        Assert.All(maps, m => Assert.Equal(32, m.shape[1]));
        var fpn = module.named_children().Single(c => c.name == "fpn").module as FeaturePyramidNetwork;
        var body = (Backbone)module.named_children().Single(c => c.name == "body").module;
        var bottomUp = body.call(image);
        var changed = new FeatureMaps(bottomUp.Select((m, i) => i == bottomUp.Count - 1 ? m + 1 : m));
        var difference = (fpn!.call(changed)[0] - fpn.call(bottomUp)[0]).abs().max().item<float>();
        Assert.True(difference > 1e-3, $"P2 did not change with the coarsest map (difference {difference})");
    }

    [Fact]
    public void Validate_SingleScaleOrDilatedBottomUp_ExplainsTheFix()
    {
        var single = Backbones.Fpn(Backbones.ResNet18(0.125, multiScale: false), 32).Validate().ToArray();
        Assert.Contains(single, p => p.Contains("UseBackbone(Fpn): a pyramid needs a multi-scale bottom-up backbone") && p.Contains("multiScale: true"));
        var dilated = Backbones.Fpn(Backbones.ResNet18(0.125, outputStride: 8), 32).Validate().ToArray();
        Assert.Contains(dilated, p => p.Contains("strides 4, 8, 8, 8") && p.Contains("outputStride: 32"));
        var narrow = Backbones.Fpn(Backbones.ResNet18(0.125), 0).Validate().ToArray();
        Assert.Contains(narrow, p => p.Contains("channels must be >= 1, got 0"));
    }
}
