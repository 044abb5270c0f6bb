using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>The label a task's loss expects: a class map (integer [B, H, W], as the references' cross-entropy takes)
/// or a dense map with a channel count ([B, C, H, W]: depth 1, normals 3, edges and saliency 1; float or integer).</summary>
public sealed record TaskLabelShape(bool ClassMap, int Channels)
{
    public static TaskLabelShape Classes { get; } = new(true, 1);

    public static TaskLabelShape Dense(int channels) => new(false, channels);

    public override string ToString() => ClassMap ? "integer [B, H, W] class indices" : $"[B, {Channels}, H, W]";

    /// <summary>What is wrong with <paramref name="label"/> for this task, or null when it fits.</summary>
    public string? Problem(Tensor label)
    {
        bool integer = label.dtype is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte;
        bool fits = ClassMap
            ? label.dim() == 3 && integer
            : label.dim() == 4 && label.shape[1] == Channels && label.dtype != ScalarType.Bool;
        return fits ? null : $"expected {this}, got {label.dtype} {Shape(label.shape)}";
    }

    internal static string Shape(long[] shape) => $"[{string.Join(", ", shape)}]";
}
