using MtlNotebooks.Modules.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Layers;

/// <summary>Resizing helpers shared by heads and architectures.</summary>
public static class Resize
{
    /// <summary>Bilinear resize (align_corners false, as the reference code) of <paramref name="x"/> to (height, width).</summary>
    public static Tensor To(Tensor x, long height, long width) =>
        x.shape[2] == height && x.shape[3] == width
            ? x
            : functional.interpolate(x, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);

    /// <summary>All maps resized to the finest map's size and concatenated along channels.</summary>
    public static Tensor ConcatAtFinest(FeatureMaps features)
    {
        var finest = features.Finest;
        if (features.Count == 1) return finest;
        return cat(features.Select(f => To(f, finest.shape[2], finest.shape[3])).ToArray(), 1);
    }
}
