using MtlNotebooks.Modules.Layers;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Core;

public sealed class GemmConvolutionTests
{
    [Theory]
    [InlineData(3, 1, true)]
    [InlineData(3, 1, false)]
    [InlineData(3, 2, true)]
    [InlineData(5, 1, false)]
    public void Forward_AndGradients_MatchConv2d(int kernel, int dilation, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var input = randn(2, 6, 7, 5);
        if (channelsLast) input = MemoryLayout.ChannelsLast(input);
        input.requires_grad_();
        var weight = randn(4, 6, kernel, kernel).requires_grad_();
        var upstream = randn(2, 4, 7, 5);
        long padding = dilation * (kernel / 2);

        var expected = nn.functional.conv2d(input, weight, padding: [padding, padding], dilation: [dilation, dilation]);
        (expected * upstream).sum().backward();
        var (inputGrad, weightGrad) = (input.grad!.clone(), weight.grad!.clone());
        input.grad!.zero_();
        weight.grad!.zero_();
        var actual = GemmConvolution.Forward(input, weight, dilation);
        (actual * upstream).sum().backward();

        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(channelsLast, MemoryLayout.IsChannelsLast(actual));
        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-5), "outputs differ");
        Assert.True(input.grad!.allclose(inputGrad, rtol: 1e-5, atol: 1e-5), "input gradients differ");
        Assert.True(weight.grad!.allclose(weightGrad, rtol: 1e-5, atol: 1e-5), "weight gradients differ");
    }

    [Fact]
    public void Forward_RefusesAnEvenKernel_NamingTheShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => GemmConvolution.Forward(zeros(1, 2, 4, 4), zeros(3, 2, 2, 2)));
        Assert.Contains("[3, 2, 2, 2]", error.Message);
    }

    [Fact]
    public void Pays_OnlyWithManyInputChannels()
    {
        using var few = zeros(1, GemmConvolution.MinInputChannels - 1, 1, 1);
        using var many = zeros(1, GemmConvolution.MinInputChannels, 1, 1);
        Assert.False(GemmConvolution.Pays(few));
        Assert.Equal(TorchRuntime.Adjustment is not null, GemmConvolution.Pays(many));
    }

    [Fact]
    public void ConvBnAct_TrainsTheSameEitherWay()
    {
        // A head convolution over many channels: in training it may take the matrix-product path, in evaluation never.
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var unit = new ConvBnAct(160, 8);
        var input = MemoryLayout.ChannelsLast(randn(2, 160, 6, 6));
        var trained = unit.call(input);
        var reference = nn.functional.relu(nn.functional.batch_norm(
            nn.functional.conv2d(input, unit.parameters().First(), padding: [1, 1]), null, null, training: true));
        Assert.True(trained.allclose(reference, rtol: 1e-4, atol: 1e-4));
    }
}
