namespace MtlNotebooks.Tests.BackboneZoo;

[Collection("Torch")]
public sealed class HRNetTests
{
    // The survey code's HighResolutionNet with models/model_info/hrnet_w18.yml: 3,860,720 parameters, 864 state-dict entries.
    [Fact]
    public void HRNet18_EqualsTheSurveyCodesW18SmallV2()
    {
        var spec = Backbones.HRNetW18Small();
        Assert.Equal([18, 36, 72, 144], spec.Features.Levels.Select(l => l.Channels));
        Assert.Equal([4, 8, 16, 32], spec.Features.Levels.Select(l => l.Stride));
        using var module = spec.Create();
        Assert.Equal(3_860_720, module.parameters().Sum(p => p.numel()));
        var keys = module.state_dict().Keys.ToHashSet();
        Assert.Equal(864, keys.Count);
        foreach (var key in new[] { "conv2.weight", "layer1.0.downsample.0.weight", "transition1.0.0.weight", "transition1.1.0.0.weight",
                     "transition3.3.0.1.running_var", "stage2.0.fuse_layers.0.1.0.weight", "stage2.0.fuse_layers.1.0.0.0.weight",
                     "stage4.1.fuse_layers.3.0.0.0.weight", "stage4.1.fuse_layers.3.2.0.1.running_mean", "stage4.1.branches.3.1.bn2.bias" })
            Assert.Contains(key, keys);
    }

    // The survey code's HighResolutionNet built from its hrnet_w48.yml, and from the same layout at width 18.
    [Theory]
    [InlineData(48, 65_325_120)]
    [InlineData(18, 9_562_260)]
    public void HRNetFullLayout_EqualsTheSurveyCodesParameterCount(int width, long expected)
    {
        using var module = (width == 48 ? Backbones.HRNetW48() : Backbones.HRNetW18()).Create();
        Assert.Equal(expected, module.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void HRNetW48_PublishesItsWidths()
    {
        Assert.Equal([48, 96, 192, 384], Backbones.HRNetW48().Features.Levels.Select(l => l.Channels));
        var w18 = Backbones.HRNetW18().Options;
        Assert.Equal((18, 64, 64, 4, 4), (w18.Width, w18.StemChannels, w18.Stage1Planes, w18.Stage1Blocks, w18.BlocksPerBranch));
        Assert.Equal([1, 4, 3], w18.StageModules);
    }
}
