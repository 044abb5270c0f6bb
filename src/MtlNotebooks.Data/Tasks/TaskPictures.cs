using MtlNotebooks.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Tasks;

/// <summary>Pictures of one sample's label or prediction for any task, in one place: class maps (semantic segmentation,
/// human parts) in the class palette, depth in turbo colours, normals as (n + 1)/2, edges and saliency in grey.
/// Tasks of other types are drawn by the shape of their activated output.</summary>
public static class TaskPictures
{
    /// <summary>One sample's label (without the batch axis: [H, W] class map or [C, H, W]) as an RGB picture of its size.
    /// <paramref name="depthRange"/> fixes the depth colour scale, e.g. to compare a label with predictions.</summary>
    public static RgbImage Label(IDenseTask task, Tensor label, (float Min, float Max)? depthRange = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(label);
        using Scalar zero = 0, one = 1;
        return task switch
        {
            SemanticSegmentation or HumanParts => LabelImages.ColorizeClasses(label),
            Depth => LabelImages.ColorizeDepth(label, depthRange?.Min, depthRange?.Max),
            SurfaceNormals => LabelImages.ColorizeNormals(label),
            Saliency or Edges => LabelImages.Grayscale(label.to(ScalarType.Float32).clamp(zero, one)),
            _ => ByShape(label, depthRange),
        };
    }

    /// <summary>One sample's raw network output [C, H, W] after the task's activation (class argmax, unit normals,
    /// sigmoid probabilities) as an RGB picture of its size.</summary>
    public static RgbImage Prediction(IDenseTask task, Tensor output, (float Min, float Max)? depthRange = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(output);
        using var scope = NewDisposeScope();
        var activated = task.Activate(output.detach().unsqueeze(0))[0].cpu();
        return task switch
        {
            SemanticSegmentation or HumanParts => LabelImages.ColorizeClasses(activated),
            Depth => LabelImages.ColorizeDepth(activated, depthRange?.Min, depthRange?.Max),
            SurfaceNormals => LabelImages.ColorizeNormals(activated),
            Saliency or Edges => LabelImages.Grayscale(activated),
            _ => ByShape(activated, depthRange),
        };
    }

    /// <summary>The valid range of a depth label (values &gt; 0), or null when it has none.</summary>
    public static (float Min, float Max)? DepthRange(Tensor label)
    {
        using var scope = NewDisposeScope();
        using Scalar zero = 0;
        var valid = label.masked_select(label.gt(zero));
        return valid.numel() == 0 ? null : (valid.min().item<float>(), valid.max().item<float>());
    }

    private static RgbImage ByShape(Tensor map, (float Min, float Max)? range)
    {
        if (map.dim() == 2 && !map.is_floating_point()) return LabelImages.ColorizeClasses(map);
        if (map.dim() == 3 && map.shape[0] == 3) return LabelImages.ColorizeNormals(map);
        return LabelImages.Grayscale(map, range?.Min ?? 0, range?.Max ?? 1);
    }
}
