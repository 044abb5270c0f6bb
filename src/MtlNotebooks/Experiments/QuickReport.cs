using Microsoft.Data.Analysis;
using MtlNotebooks.Analysis;
using MtlNotebooks.Data;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Tasks;
using static TorchSharp.torch;

namespace MtlNotebooks.Experiments;

/// <summary>The quick experiment's self-contained HTML report.</summary>
internal static class QuickReport
{
    private const int TileScale = 2;

    public static void Write(string path, QuickExperimentOptions options, SeededRuns seeded, DataFrame table,
        IReadOnlyList<MultiTaskModel> models, ExperimentData data)
    {
        var runs = seeded.Runs[0];
        bool several = seeded.Seeds.Count > 1;
        var seeds = several ? $"seeds {string.Join(", ", seeded.Seeds)}" : $"seed {options.Seed}";
        var report = new HtmlReport("MtlNotebooks quick run: single-task baselines vs hard parameter sharing")
            .AddParagraph(
                $"{data.Description}, {data.Train.Height}×{data.Train.Width}: {data.Train.Count} training and {data.Validation.Count} validation " +
                $"samples; tasks {string.Join(", ", models[0].Tasks.Select(t => t.Name))}; loss balancer {models[0].Plan.Balancer.Name}; backbone {models[0].Plan.Backbone!.Name}; " +
                $"{options.Epochs} epochs of batch {options.BatchSize} with {options.Optimizer.Name} and the poly schedule; {seeds}.")
            .AddHeading("Δm against the single-task baselines")
            .AddParagraph("Δm = (1/T) Σ_t (−1)^l_t (M_m,t − M_b,t) / M_b,t over each task's primary metric, l_t = 1 when lower is better " +
                          "(survey eq. 10, ASTMT eq. 4). Positive means the multi-task network beats the single-task networks on average.");
        if (several)
            report.AddParagraph($"Every network was trained with {seeded.Seeds.Count} seeds ({string.Join(", ", seeded.Seeds)}; each sets the weight " +
                                $"initialisation and the data order; the data are those of seed {options.Seed} throughout). Each metric and Δm is " +
                                "given as the mean and the sample standard deviation (n − 1) over the seeds; Δm is computed per seed against " +
                                "that seed's baselines, then averaged. Error bars: ± one standard deviation.");
        report.AddTable(table)
            .AddChart(Charts.DeltaMBars(table));
        if (several)
            report.AddHeading("Δm per seed")
                .AddTable(seeded.PerSeedDeltaMTable())
                .AddParagraph($"The charts and predictions below are those of seed {seeded.Seeds[0]}.");
        report
            .AddHeading("Metrics on the validation split")
            .AddChart(Charts.MetricComparison(runs))
            .AddChart(Charts.ValidationCurves(runs.Select(r => r.History)))
            .AddHeading("Training losses")
            .AddChart(Charts.TrainingCurves(runs.Select(r => r.History)))
            .AddHeading("Loss balancer")
            .AddParagraph($"Per-task loss weights of the multi-task network(s) over training ({string.Join(", ", runs.Skip(1).Select(r => $"{r.Name}: {r.Balancer}"))}); " +
                          "gradient-based balancers also report each task's gradient norm on the shared parameters.")
            .AddChart(Charts.BalancerWeights(runs.Skip(1).Select(r => r.History)))
            .AddHeading("Predictions on validation scenes");

        var grid = PredictionGrid(models, data.Validation, Math.Min(options.PreviewSamples, data.Validation.Count));
        var tasks = models[0].Tasks.Select(t => t.Name).ToList();
        report.AddImage(
            "Each row a validation sample. Columns: image; then per task (" + string.Join(", ", tasks) + ") its label and the predictions of " +
            string.Join(", ", runs.Select(r => r.Name)) + ".", LabelImages.ToPng(grid));

        if (data.Train is SyntheticDataset synthetic)
        {
            var samples = SyntheticPreview.Render(synthetic, Math.Min(4, synthetic.Count), TileScale);
            report.AddHeading("The synthetic scenes")
                .AddImage("Training scenes with the labels of all six tasks: " + string.Join(", ", SyntheticPreview.Columns) + ".",
                    LabelImages.ToPng(samples));
        }
        report.AddHeading("Models")
            .AddPreformatted(string.Join(Environment.NewLine + Environment.NewLine, models.Select(m => m.Summary(data.Train.Height, data.Train.Width))));
        report.Save(path);
    }

    /// <summary>One row per sample: the image, then for every task its label and each model's prediction, drawn by
    /// <see cref="TaskPictures"/> (depth shares the label's colour scale).</summary>
    private static RgbImage PredictionGrid(IReadOnlyList<MultiTaskModel> models, IMultiTaskDataset validation, int samples)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var batch = validation.GetBatch(Enumerable.Range(0, samples).ToArray());
        var outputs = models.Select(m =>
        {
            m.Network.eval();
            return m.Network.call(m.Input(batch.Images));
        }).ToArray();
        RgbImage Tile(RgbImage picture) => LabelImages.Upscale(picture, TileScale);
        var rows = new List<IReadOnlyList<RgbImage>>();
        for (int i = 0; i < samples; i++)
        {
            var row = new List<RgbImage> { Tile(LabelImages.ImageToRgb(batch.Images[i])) };
            foreach (var task in models[0].Tasks)
            {
                var label = batch.Labels[task.Name][i];
                var range = task is Depth ? TaskPictures.DepthRange(label) : null;
                row.Add(Tile(TaskPictures.Label(task, label, range)));
                row.AddRange(outputs.Select(o => Tile(TaskPictures.Prediction(task, o[task.Name][i].cpu(), range))));
            }
            rows.Add(row);
        }
        return LabelImages.Grid(rows, gap: 3);
    }
}
