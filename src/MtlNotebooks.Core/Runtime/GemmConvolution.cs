using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Runtime;

/// <summary>A stride-1 k×k convolution (odd k, same padding, no groups) computed as one matrix product and a fold: every
/// input pixel's channels times every kernel tap (Z = X·W, one BLAS call), then each output pixel sums the k² products
/// that reach it (<c>fold</c>, col2im). Autograd's backward is two more matrix products and an <c>unfold</c> of the small
/// output gradient. Under <see cref="TorchRuntime"/>'s oneDNN cap this beats oneDNN's SSE4.1 kernels when there are many
/// input channels: on a 2-core Zen 5 the quick run's head convolution (240→32 channels, 16×16, batch 16, forward and
/// backward) takes 15.6 instead of 30.7 ms; with 16–36 channels it is slower. Same sums in another order: outputs and
/// gradients agree with <c>conv2d</c> to float rounding.</summary>
public static class GemmConvolution
{
    /// <summary>Fewest input channels for which the matrix product pays (measured: 128 and 240 gain, 64 is level, 36 loses).</summary>
    public const long MinInputChannels = 128;

    /// <summary>Whether <see cref="Forward"/> is the faster way to convolve <paramref name="input"/> ([N, C, H, W]): only
    /// on the CPU under the oneDNN cap, with at least <see cref="MinInputChannels"/> channels.</summary>
    public static bool Pays(Tensor input) =>
        TorchRuntime.Adjustment is not null && input.dim() == 4 && input.shape[1] >= MinInputChannels && input.device_type == DeviceType.CPU;

    /// <summary>Whether <see cref="Forward"/> computes <paramref name="conv"/>: stride 1, a square odd kernel above 1×1,
    /// equal dilations, same zero padding, no groups and no bias.</summary>
    public static bool Fits(Conv2d conv)
    {
        ArgumentNullException.ThrowIfNull(conv);
        var (k, d) = (conv.kernel_size, conv.dilation);
        return k is [var k0, var k1] && k0 == k1 && k0 > 1 && k0 % 2 == 1 && d is [var d0, var d1] && d0 == d1 &&
               conv.stride.All(s => s == 1) && conv.padding is [var p0, var p1] && p0 == d0 * (k0 / 2) && p1 == p0 &&
               conv.groups == 1 && conv.bias is null && conv.padding_mode == PaddingModes.Zeros;
    }

    /// <summary>conv2d(<paramref name="input"/>, <paramref name="weight"/>, stride 1, padding dilation·(k/2)) for an
    /// [N, C, H, W] input and an [O, C, k, k] weight; the output keeps the input's memory layout.</summary>
    public static Tensor Forward(Tensor input, Tensor weight, long dilation = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        long k = weight.shape[2];
        if (input.dim() != 4 || weight.dim() != 4 || weight.shape[1] != input.shape[1] || weight.shape[3] != k || k % 2 == 0 || dilation < 1)
            throw new ArgumentException($"GemmConvolution needs an [N, C, H, W] input and an [O, C, k, k] weight with odd k; got input " +
                $"[{string.Join(", ", input.shape)}], weight [{string.Join(", ", weight.shape)}], dilation {dilation}.");
        var (n, c, h, w, o) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3], weight.shape[0]);
        using var scope = NewDisposeScope();
        var pixels = input.permute(0, 2, 3, 1).reshape(n * h * w, c);   // a view when the input is channels-last
        // fold adds tap (i, j) of pixel p at p + (i, j)·dilation − padding, a convolution reads it at p − (i, j)·dilation +
        // padding: with padding = dilation·(k−1)/2 the two meet when the taps are flipped.
        var taps = weight.flip(2, 3).permute(1, 0, 2, 3).reshape(c, o * k * k);
        var columns = pixels.mm(taps).view(n, h * w, o * k * k).transpose(1, 2);
        long padding = dilation * (k / 2);
        var output = functional.fold(columns, (h, w), (k, k), dilation: (dilation, dilation), padding: (padding, padding));
        return (MemoryLayout.IsChannelsLast(input) ? MemoryLayout.ChannelsLast(output) : output).MoveToOuterDisposeScope();
    }
}
