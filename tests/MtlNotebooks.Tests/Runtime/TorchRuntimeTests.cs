using MtlNotebooks.Runtime;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Runtime;

/// <summary>libtorch's convolutions (oneDNN) against the same convolution written as unfold + matmul, which never
/// reaches oneDNN. On CPUs where oneDNN's vector kernels are wrong (AMD Zen 5) this fails unless
/// <see cref="TorchRuntime"/> caps the instruction set; the error was intermittent, hence the repetitions.</summary>
[Collection("Torch")]
public sealed class TorchRuntimeTests
{
    [Theory]
    [InlineData(3, 16, 3, 1, 1, 1, 24)]
    [InlineData(16, 32, 3, 1, 1, 1, 24)]
    [InlineData(16, 32, 3, 2, 1, 1, 24)]
    [InlineData(16, 32, 3, 1, 2, 1, 24)]
    [InlineData(16, 32, 1, 1, 1, 1, 24)]
    [InlineData(16, 16, 3, 1, 1, 16, 24)]
    [InlineData(8, 8, 7, 2, 1, 1, 32)]
    [InlineData(64, 64, 3, 1, 1, 1, 2)]
    [InlineData(64, 128, 1, 1, 1, 1, 4)]
    [InlineData(128, 64, 3, 1, 1, 1, 8)]
    [InlineData(48, 48, 1, 1, 1, 1, 16)]
    [InlineData(12, 36, 3, 1, 1, 1, 16)]
    [InlineData(72, 72, 3, 2, 1, 1, 4)]
    public void Conv2d_ForwardAndBackward_EqualUnfoldMatmul(int cin, int cout, int k, int stride, int dilation, int groups, int size)
    {
        TorchRuntime.EnsureConfigured();
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(7);
        int pad = dilation * (k - 1) / 2;
        for (int repetition = 0; repetition < 10; repetition++)
        {
            var x = randn([4, cin, size, size], generator: generator).requires_grad_(true);
            var w = randn([cout, cin / groups, k, k], generator: generator).mul_(0.1).requires_grad_(true);
            var y = nn.functional.conv2d(x, w, strides: [stride, stride], padding: [pad, pad], dilation: [dilation, dilation], groups: groups);
            var xr = x.detach().clone().requires_grad_(true);
            var wr = w.detach().clone().requires_grad_(true);
            long oh = y.shape[2], ow = y.shape[3];
            var columns = nn.functional.unfold(xr, k, dilation: dilation, padding: pad, stride: stride)   // [B, cin·k·k, L]
                .reshape(4, groups, cin / groups * k * k, -1);
            var yr = wr.reshape(groups, cout / groups, -1).unsqueeze(0).matmul(columns).reshape(4, cout, oh, ow);
            Assert.True(y.allclose(yr, rtol: 1e-4, atol: 1e-4),
                $"repetition {repetition}: conv2d differs from unfold+matmul by {(y - yr).abs().max().item<float>()} " +
                $"({TorchRuntime.Adjustment ?? "no runtime adjustment"})");
            var upstream = randn(y.shape, generator: generator);
            y.backward([upstream]);
            yr.backward([upstream]);
            Assert.True(x.grad!.allclose(xr.grad!, rtol: 1e-4, atol: 1e-3), $"repetition {repetition}: input gradient differs by {(x.grad! - xr.grad!).abs().max().item<float>()}");
            Assert.True(w.grad!.allclose(wr.grad!, rtol: 1e-4, atol: 1e-3), $"repetition {repetition}: weight gradient differs by {(w.grad! - wr.grad!).abs().max().item<float>()}");
        }
    }
}
