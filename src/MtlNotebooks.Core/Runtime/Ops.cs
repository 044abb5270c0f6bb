using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Runtime;

/// <summary>Where the library's modules get their convolutions and batch norms, so a module reads like TorchSharp
/// (<c>Ops.Conv2d(…)</c>, <c>Ops.BatchNorm2d(c)</c>) while what this runtime needs stays here: batch norms that hold
/// their scalars (<see cref="ScalarSafeBatchNorm2d"/>) and, under <see cref="TorchRuntime"/>'s oneDNN cap, convolutions
/// computed as one matrix product where that is faster (<see cref="GemmConvolution"/>). A convolution stays TorchSharp's
/// <c>Conv2d</c>, so state-dict keys, weight initialisation and the hooks of resource counts see what they expect.</summary>
internal static class Ops
{
    /// <summary>TorchSharp's <c>nn.Conv2d</c> (zero padding).</summary>
    public static Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1,
        long groups = 1, bool bias = true) =>
        nn.Conv2d(in_channels, out_channels, kernel_size, stride: stride, padding: padding, dilation: dilation, groups: groups, bias: bias);

    /// <summary>A batch norm with TorchSharp's <c>nn.BatchNorm2d</c> parameters, buffers, keys and arithmetic whose batch
    /// counter cannot be collected mid-call (<see cref="ScalarSafeBatchNorm2d"/>).</summary>
    public static ScalarSafeBatchNorm2d BatchNorm2d(long features, double eps = 1e-5, double? momentum = 0.1, bool affine = true,
        bool track_running_stats = true) =>
        new(features, eps, momentum, affine, track_running_stats);

    /// <summary><paramref name="conv"/> applied to <paramref name="input"/>: as one matrix product when it is training, of
    /// a shape <see cref="GemmConvolution"/> computes, and the product pays on this CPU (<see cref="GemmConvolution.Pays"/>);
    /// otherwise the module itself, so evaluation and resource counts (which hook the module) always run conv2d.</summary>
    public static Tensor Convolve(Conv2d conv, Tensor input) =>
        conv.training && GemmConvolution.Fits(conv) && GemmConvolution.Pays(input)
            ? GemmConvolution.Forward(input, conv.weight, conv.dilation[0])
            : conv.call(input);
}
