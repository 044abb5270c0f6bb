using static TorchSharp.torch;

namespace MtlNotebooks.Runtime;

/// <summary>Channels-last ("NHWC") memory layout for 4-D tensors: the same logical NCHW tensor, stored with the channels
/// innermost. libtorch runs oneDNN's channels-last convolution kernels when a convolution's input is laid out so (its
/// output keeps the layout, so the whole network follows the images), which on CPUs is often faster (the quick run's main
/// job: 3 min 19 s instead of 3 min 48 s contiguous). TorchSharp 0.107 has no memory_format argument, so the layout is
/// made by strides: permute to NHWC, make contiguous, permute back.</summary>
public static class MemoryLayout
{
    /// <summary><paramref name="tensor"/> in channels-last layout (same values and shape); other ranks unchanged.</summary>
    public static Tensor ChannelsLast(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.dim() == 4 && !IsChannelsLast(tensor) ? tensor.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : tensor;
    }

    /// <summary>Whether a 4-D tensor's channels are innermost in memory (stride 1 along C, then W, H, N).</summary>
    public static bool IsChannelsLast(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.dim() != 4) return false;
        var (shape, stride) = (tensor.shape, tensor.stride());
        return stride[1] == 1 && stride[3] == shape[1] && stride[2] == shape[1] * shape[3] && stride[0] == shape[1] * shape[2] * shape[3];
    }
}
