using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Runtime;

[Collection("Torch")]
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
    public void Fits_OnlyStrideOneSamePaddedOddKernelsWithoutGroupsOrBias()
    {
        using var same = Ops.Conv2d(4, 4, 3, padding: 1, bias: false);
        using var dilated = Ops.Conv2d(4, 4, 5, padding: 4, dilation: 2, bias: false);
        Assert.True(GemmConvolution.Fits(same));
        Assert.True(GemmConvolution.Fits(dilated));
        using var pointwise = Ops.Conv2d(4, 4, 1, bias: false);
        using var strided = Ops.Conv2d(4, 4, 3, stride: 2, padding: 1, bias: false);
        using var unpadded = Ops.Conv2d(4, 4, 3, bias: false);
        using var grouped = Ops.Conv2d(4, 4, 3, padding: 1, groups: 2, bias: false);
        using var biased = Ops.Conv2d(4, 4, 3, padding: 1);
        Assert.All(new[] { pointwise, strided, unpadded, grouped, biased }, conv => Assert.False(GemmConvolution.Fits(conv)));
    }

    [Fact]
    public void Convolve_TakesTheMatrixProductInTrainingOnly_WithTheModulesValues()
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        using var conv = Ops.Conv2d(GemmConvolution.MinInputChannels, 4, 3, padding: 1, bias: false);
        int calls = 0;   // the module's own forward, which hooks (resource counts) see
        conv.register_forward_hook((_, _, output) =>
        {
            calls++;
            return output;
        });
        var input = randn(1, GemmConvolution.MinInputChannels, 5, 5);
        var expected = nn.functional.conv2d(input, conv.weight, padding: [1, 1]);
        Assert.True(Ops.Convolve(conv, input).allclose(expected, rtol: 1e-4, atol: 1e-4));
        Assert.Equal(TorchRuntime.Adjustment is null ? 1 : 0, calls);
        conv.eval();
        Assert.True(Ops.Convolve(conv, input).allclose(expected, rtol: 1e-4, atol: 1e-4));
        Assert.Equal(TorchRuntime.Adjustment is null ? 2 : 1, calls);
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
