using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Data.Synthetic;

/// <summary>A picture of a synthetic data set, to see what the tasks look like.</summary>
public static class SyntheticPreview
{
    /// <summary>The columns of the preview, left to right.</summary>
    public static IReadOnlyList<string> Columns { get; } = ["image", "semseg", "depth", "normals", "edge", "sal", "human_parts"];

    /// <summary>Gap in pixels between tiles.</summary>
    public const int Gap = 2;

    /// <summary>Writes a PNG grid to <paramref name="path"/> (atomically): one row per sample (the first
    /// <paramref name="samples"/>, at most the data set's count), one column per entry of <see cref="Columns"/>,
    /// each tile enlarged <paramref name="scale"/> times. Depth shares one colour scale over the rows. The picture is
    /// 7·W·scale + 6·<see cref="Gap"/> wide and rows·H·scale + (rows − 1)·<see cref="Gap"/> high.</summary>
    public static void SavePng(string path, SyntheticDataset dataset, int samples, int scale = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        LabelImages.SavePng(path, Render(dataset, samples, scale));
    }

    /// <summary>The preview grid as RGB, without writing it.</summary>
    public static RgbImage Render(SyntheticDataset dataset, int samples, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        int rows = Math.Min(samples, dataset.Count);
        using var scope = NewDisposeScope();
        using var batch = dataset.GetBatch(Enumerable.Range(0, rows).ToArray());
        var labels = batch.Labels;
        var depth = labels["depth"];
        using Scalar zero = 0;
        using var valid = depth.gt(zero);
        float lo = 0, hi = 1;
        if (valid.any().item<bool>())
        {
            lo = depth.masked_select(valid).min().item<float>();
            hi = depth.max().item<float>();
        }
        var grid = new List<IReadOnlyList<RgbImage>>(rows);
        for (int i = 0; i < rows; i++)
        {
            RgbImage Big(RgbImage tile) => LabelImages.Upscale(tile, scale);
            grid.Add(
            [
                Big(LabelImages.ImageToRgb(batch.Images[i])),
                Big(LabelImages.ColorizeClasses(labels["semseg"][i])),
                Big(LabelImages.ColorizeDepth(depth[i], lo, hi)),
                Big(LabelImages.ColorizeNormals(labels["normals"][i])),
                Big(LabelImages.Grayscale(labels["edge"][i])),
                Big(LabelImages.Grayscale(labels["sal"][i])),
                Big(LabelImages.ColorizeClasses(labels["human_parts"][i])),
            ]);
        }
        return LabelImages.Grid(grid, Gap);
    }
}
