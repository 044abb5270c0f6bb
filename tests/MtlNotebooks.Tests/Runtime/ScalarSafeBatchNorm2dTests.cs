using MtlNotebooks.Runtime;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Runtime;

[Collection("Torch")]
public sealed class ScalarSafeBatchNorm2dTests
{
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.01)]
    [InlineData(null)]
    public void TrainsAndEvaluates_AsTorchSharpsBatchNorm2d(double? momentum)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var ours = new ScalarSafeBatchNorm2d(5, momentum: momentum);
        using var theirs = nn.BatchNorm2d(5, momentum: momentum ?? 0.1);
        // TorchSharp's factory takes no null momentum; its module's property does (the cumulative average).
        theirs.momentum = momentum;
        Assert.Equal(theirs.state_dict().Keys, ours.state_dict().Keys);
        using (no_grad())
        {
            ours.weight!.uniform_(0.5, 1.5);
            ours.bias!.uniform_(-0.5, 0.5);
            theirs.weight!.copy_(ours.weight);
            theirs.bias!.copy_(ours.bias);
        }
        for (int step = 0; step < 3; step++)
        {
            var x = randn(4, 5, 6, 7) * (step + 1) + step;
            var (a, b) = (x.clone().requires_grad_(), x.clone().requires_grad_());
            var (ya, yb) = (ours.call(a), theirs.call(b));
            Assert.True(ya.eq(yb).all().item<bool>(), $"training output of step {step} differs");
            ya.square().sum().backward();
            yb.square().sum().backward();
            Assert.True(a.grad!.allclose(b.grad!, rtol: 0, atol: 1e-6));
            Assert.True(ours.weight!.grad!.allclose(theirs.weight!.grad!, rtol: 1e-6, atol: 1e-5));
        }
        foreach (var (key, value) in theirs.state_dict())
            Assert.True(ours.state_dict()[key].eq(value).all().item<bool>(), $"{key} differs after three steps");
        Assert.Equal(3L, ours.num_batches_tracked!.item<long>());

        ours.eval();
        theirs.eval();
        var test = randn(2, 5, 3, 3);
        Assert.True(ours.call(test).eq(theirs.call(test)).all().item<bool>(), "evaluation uses the running statistics as TorchSharp does");
    }

    [Fact]
    public void WrongRank_IsRefusedNamingTheShape()
    {
        using var bn = new ScalarSafeBatchNorm2d(3);
        var error = Assert.Throws<ArgumentException>(() => bn.call(zeros(2, 3, 4)));
        Assert.Contains("[2, 3, 4]", error.Message);
        Assert.Contains("BatchNorm2d(3)", error.Message);
    }
}
