using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>A split of a multi-task data set. Label formats per task name:
/// semseg / human_parts [B, H, W] int64 (255 = ignore); depth [B, 1, H, W] float32 (0 = invalid);
/// normals [B, 3, H, W] float32 unit vectors (0 = invalid); edge / sal [B, 1, H, W] float32 in {0, 1}.</summary>
public interface IMultiTaskDataset
{
    /// <summary>A name for messages, e.g. "synthetic/train".</summary>
    string Name { get; }
    int Count { get; }
    int Height { get; }
    int Width { get; }

    /// <summary>Names of the tasks this data set has labels for.</summary>
    IReadOnlyList<string> Tasks { get; }

    /// <summary>The samples at <paramref name="indices"/> as one batch on the CPU.</summary>
    MultiTaskBatch GetBatch(IReadOnlyList<int> indices);
}
