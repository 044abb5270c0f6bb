using Microsoft.Data.Analysis;
using MtlNotebooks.Analysis;
using MtlNotebooks.Data;
using MtlNotebooks.Data.Synthetic;
using static TorchSharp.torch;

namespace MtlNotebooks.Experiments;

/// <summary>The quick experiment's self-contained HTML report.</summary>
internal static class QuickReport
{
    private const int TileScale = 2;

    public static void Write(string path, QuickExperimentOptions options, IReadOnlyList<RunResult> runs, DataFrame table,
        IReadOnlyList<MultiTaskModel> models, SyntheticData data)
    {
        var report = new HtmlReport("MtlNotebooks quick run: single-task baselines vs hard parameter sharing")
            .AddParagraph(
                $"Synthetic scenes, {options.ImageSize}×{options.ImageSize}: {options.TrainSamples} training and {options.ValidationSamples} validation " +
                $"samples; tasks semantic segmentation, depth and surface normals; backbone {models[0].Plan.Backbone!.Name}; " +
                $"{options.Epochs} epochs of batch {options.BatchSize} with {options.Optimizer.Name} and the poly schedule; seed {options.Seed}.")
            .AddHeading("Δm against the single-task baselines")
            .AddParagraph("Δm = (1/T) Σ_t (−1)^l_t (M_m,t − M_b,t) / M_b,t over each task's primary metric, l_t = 1 when lower is better " +
                          "(survey eq. 10, ASTMT eq. 4). Positive means the multi-task network beats the single-task networks on average.")
            .AddTable(table)
            .AddChart(Charts.DeltaMBars(table))
            .AddHeading("Metrics on the validation split")
            .AddChart(Charts.MetricComparison(runs))
            .AddChart(Charts.ValidationCurves(runs.Select(r => r.History)))
            .AddHeading("Training losses")
            .AddChart(Charts.TrainingCurves(runs.Select(r => r.History)))
            .AddHeading("Predictions on validation scenes");

        var (grid, height, width) = PredictionGrid(models, runs, data.Validation, Math.Min(options.PreviewSamples, data.Validation.Count));
        report.AddImage(
            "Each row a validation scene. Columns: image; semseg label, " + string.Join(", ", runs.Select(r => r.Name)) +
            "; depth label, predictions; normals label, predictions.", LabelImages.ToPng(grid, height, width));

        var (samples, sh, sw) = SyntheticPreview.Render(data.Train, Math.Min(4, data.Train.Count), TileScale);
        report.AddHeading("The synthetic scenes")
            .AddImage("Training scenes with the labels of all six tasks: " + string.Join(", ", SyntheticPreview.Columns) + ".",
                LabelImages.ToPng(samples, sh, sw))
            .AddHeading("Models")
            .AddPreformatted(string.Join(Environment.NewLine + Environment.NewLine, models.Select(m => m.Summary(options.ImageSize, options.ImageSize))));
        report.Save(path);
    }

    private static (byte[] Rgb, int Height, int Width) PredictionGrid(IReadOnlyList<MultiTaskModel> models, IReadOnlyList<RunResult> runs,
        IMultiTaskDataset validation, int samples)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var batch = validation.GetBatch(Enumerable.Range(0, samples).ToArray());
        var outputs = models.Select(m =>
        {
            m.Network.eval();
            return m.Network.call(batch.Images.to(m.Device));
        }).ToArray();
        int h = validation.Height, w = validation.Width;
        byte[] Tile(byte[] rgb) => LabelImages.Upscale(rgb, h, w, TileScale);
        var rows = new List<IReadOnlyList<byte[]>>();
        for (int i = 0; i < samples; i++)
        {
            var depthLabel = batch.Labels["depth"][i];
            var valid = depthLabel.masked_select(depthLabel.gt(0));
            float? min = valid.numel() > 0 ? valid.min().item<float>() : null;
            float? max = valid.numel() > 0 ? valid.max().item<float>() : null;
            var row = new List<byte[]> { Tile(LabelImages.ImageToRgb(batch.Images[i])) };
            row.Add(Tile(LabelImages.ColorizeClasses(batch.Labels["semseg"][i])));
            row.AddRange(outputs.Select(o => Tile(LabelImages.ColorizeClasses(o["semseg"][i].argmax(0).cpu()))));
            row.Add(Tile(LabelImages.ColorizeDepth(depthLabel, min, max)));
            row.AddRange(outputs.Select(o => Tile(LabelImages.ColorizeDepth(o["depth"][i].cpu(), min, max))));
            row.Add(Tile(LabelImages.ColorizeNormals(batch.Labels["normals"][i])));
            row.AddRange(outputs.Select(o => Tile(LabelImages.ColorizeNormals(nn.functional.normalize(o["normals"][i].cpu(), p: 2, dim: 0)))));
            rows.Add(row);
        }
        return LabelImages.Grid(rows, h * TileScale, w * TileScale, gap: 3);
    }
}
