using Microsoft.Data.Analysis;
using MtlNotebooks.Modules.SingleTasking;
using Plotly.NET;
using Plotly.NET.CSharp;
using TorchSharp;
using static TorchSharp.torch;
using CSharpChart = Plotly.NET.CSharp.Chart;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Analysis;

/// <summary>ASTMT's Fig. 6: how task-specific the SE activations are at equally spaced depths. For every task, the SE gates
/// of a set of images are collected at each chosen SE block and embedded with exact t-SNE (<see cref="Tsne"/>); the
/// separation table gives, per depth, the share of points whose nearest neighbour in the gate space (not the embedding)
/// belongs to the same task: 1/T when the tasks' activations are alike, 1 when they are fully disentangled.</summary>
public static class TaskActivations
{
    /// <summary>Embeds the gates of <paramref name="images"/> at <paramref name="depths"/> SE blocks spaced evenly from the first
    /// to the last (the paper averages over the first 32 validation images per task; here every image is a point).</summary>
    public static TaskActivationEmbedding Embed(AstmtModule network, Tensor images, int depths = 4, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depths, 1);
        var tasks = network.Tasks;
        var gates = tasks.ToDictionary(t => t, t => network.SqueezeActivations(images, t));
        var layers = gates[tasks[0]].Select(g => g.Layer).ToArray();
        if (layers.Length == 0)
            throw new ArgumentException($"{network.Settings.Name} has no SE block to read; use an SE backbone.", nameof(network));
        var chosen = Enumerable.Range(0, Math.Min(depths, layers.Length))
            .Select(i => depths == 1 ? layers.Length - 1 : (int)Math.Round(i * (layers.Length - 1.0) / (Math.Min(depths, layers.Length) - 1)))
            .Distinct().ToArray();
        long n = images.shape[0];
        var (depthColumn, layerColumn, taskColumn, sampleColumn, xs, ys) = (new List<int>(), new List<string>(), new List<string>(), new List<int>(), new List<double>(), new List<double>());
        var (separationDepth, separationLayer, purity) = (new List<int>(), new List<string>(), new List<double>());
        foreach (var (index, depth) in chosen.Select((index, d) => (index, d + 1)))
        {
            using var scope = NewDisposeScope();
            var points = cat(tasks.Select(t => gates[t][index].Gate.to(ScalarType.Float64)).ToArray(), 0);
            var owner = tasks.SelectMany(t => Enumerable.Repeat(t, (int)n)).ToArray();
            long count = points.shape[0];
            var embedding = Tsne.Embed(points, new TsneOptions { Perplexity = Math.Min(30, (count - 1) / 3.0), Seed = seed }).data<double>().ToArray();
            for (int i = 0; i < count; i++)
            {
                depthColumn.Add(depth);
                layerColumn.Add(layers[index]);
                taskColumn.Add(owner[i]);
                sampleColumn.Add(i % (int)n);
                xs.Add(embedding[2 * i]);
                ys.Add(embedding[2 * i + 1]);
            }
            using Scalar largest = double.MaxValue;
            var distances = cdist(points, points).add(eye(count, dtype: ScalarType.Float64).mul(largest), One);
            var nearest = distances.argmin(1).data<long>().ToArray();
            separationDepth.Add(depth);
            separationLayer.Add(layers[index]);
            purity.Add(nearest.Select((j, i) => owner[j] == owner[i] ? 1.0 : 0.0).Average());
        }
        foreach (var (_, list) in gates) foreach (var (_, gate) in list) gate.Dispose();
        return new TaskActivationEmbedding(
            new DataFrame(new Int32DataFrameColumn("depth", depthColumn), new StringDataFrameColumn("layer", layerColumn),
                new StringDataFrameColumn("task", taskColumn), new Int32DataFrameColumn("sample", sampleColumn),
                new DoubleDataFrameColumn("x", xs), new DoubleDataFrameColumn("y", ys)),
            new DataFrame(new Int32DataFrameColumn("depth", separationDepth), new StringDataFrameColumn("layer", separationLayer),
                new DoubleDataFrameColumn("same-task nearest neighbour", purity)));
    }

    /// <summary>One t-SNE scatter per depth, points coloured by task (the layout of ASTMT's Fig. 6); each panel's title
    /// gives the layer on a line of its own, since decoder layer names are wider than a panel in a notebook cell.</summary>
    public static GenericChart Chart(TaskActivationEmbedding embedding)
    {
        var rows = embedding.Points.Rows.Select(r => (Depth: (int)r[0], Layer: (string)r[1], Task: (string)r[2], X: (double)r[4], Y: (double)r[5])).ToList();
        var tasks = rows.Select(r => r.Task).Distinct().ToList();
        var panels = rows.GroupBy(r => (r.Depth, r.Layer)).OrderBy(g => g.Key.Depth).ToList();
        var subplots = panels.Select((panel, p) => CSharpChart.Combine(tasks.Select((task, t) =>
            CSharpChart.Point<double, double, string>(panel.Where(r => r.Task == task).Select(r => r.X).ToList(),
                    panel.Where(r => r.Task == task).Select(r => r.Y).ToList(), Name: task,
                    MarkerColor: Color.fromHex(Palette[t % Palette.Length]))
                .WithTraceInfo(ShowLegend: p == 0, LegendGroup: task)))).ToList();
        var grid = CSharpChart.Grid(subplots, 1, subplots.Count, SubPlotTitles: panels.Select(g => $"depth {g.Key.Depth}<br>{g.Key.Layer}").ToList(), XGap: 0.08)
            .WithSize(330 * subplots.Count + 120, 420);
        return Plotly.NET.Chart.withTitle("SE activations per task (t-SNE), shallow to deep", Microsoft.FSharp.Core.FSharpOption<Font>.None).Invoke(grid);
    }

    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];
}
