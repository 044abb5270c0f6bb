using Microsoft.Data.Analysis;
using MtlNotebooks.Data;
using Plotly.NET;
using Plotly.NET.CSharp;
using TorchSharp;
using CSharpChart = Plotly.NET.CSharp.Chart;
using static TorchSharp.torch;

namespace MtlNotebooks.Analysis;

/// <summary>MTI-Net Fig. 2b: do tasks share local structure, and does it depend on the scale? For every pixel and its 8
/// neighbours at a kernel dilation d, each task's labels say whether the pair is similar — same class (semseg, human
/// parts), relative depth difference below a threshold (depth), same edge/saliency state. For a pair of tasks, the
/// correspondence is the Jaccard index of their sets of dissimilar pairs (pairs valid in both labels): 1 when the two tasks
/// put their boundaries in exactly the same places at that scale. The paper does not spell out its matching score; this
/// one ignores the overwhelming number of pairs that are similar in both tasks, which would otherwise dominate.</summary>
public static class TaskAffinity
{
    public static DataFrame AcrossDilations(IMultiTaskDataset data, IReadOnlyList<string> tasks, IReadOnlyList<int> dilations,
        double depthThreshold = 0.05, int maxSamples = 64)
    {
        var missing = tasks.Where(t => !data.Tasks.Contains(t)).ToArray();
        if (missing.Length > 0)
            throw new ArgumentException($"Data set '{data.Name}' has no labels for {string.Join(", ", missing.Select(t => $"'{t}'"))}; it provides: {string.Join(", ", data.Tasks)}.");
        if (tasks.Count < 2) throw new ArgumentException($"Task affinity needs at least two tasks, got {tasks.Count}.");
        if (dilations.Any(d => d < 1 || d >= Math.Min(data.Height, data.Width)))
            throw new ArgumentException($"Dilations must be between 1 and {Math.Min(data.Height, data.Width) - 1}, got [{string.Join(", ", dilations)}].");

        using var scope = NewDisposeScope();
        using var batch = data.GetBatch(Enumerable.Range(0, Math.Min(maxSamples, data.Count)).ToArray());
        var dilationColumn = new PrimitiveDataFrameColumn<int>("dilation");
        var pairColumn = new StringDataFrameColumn("tasks");
        var correspondence = new DoubleDataFrameColumn("correspondence");
        foreach (int d in dilations)
        {
            var offsets = (from dy in new[] { -d, 0, d } from dx in new[] { -d, 0, d } where dy != 0 || dx != 0 select (dy, dx)).ToArray();
            var dissimilar = tasks.ToDictionary(t => t, t => offsets.Select(o => Dissimilar(t, batch.Labels[t], o.dy, o.dx, depthThreshold)).ToArray());
            for (int a = 0; a < tasks.Count; a++)
            for (int b = a + 1; b < tasks.Count; b++)
            {
                long intersection = 0, union = 0;
                for (int o = 0; o < offsets.Length; o++)
                {
                    var (da, va) = dissimilar[tasks[a]][o];
                    var (db, vb) = dissimilar[tasks[b]][o];
                    var valid = va.logical_and(vb);
                    intersection += da.logical_and(db).logical_and(valid).sum().item<long>();
                    union += da.logical_or(db).logical_and(valid).sum().item<long>();
                }
                dilationColumn.Append(d);
                pairColumn.Append($"{tasks[a]} – {tasks[b]}");
                correspondence.Append(union == 0 ? double.NaN : (double)intersection / union);
            }
        }
        return new DataFrame(dilationColumn, pairColumn, correspondence);
    }

    /// <summary>Correspondence vs dilation, one line per task pair (the layout of MTI-Net Fig. 2b).</summary>
    public static GenericChart Chart(DataFrame affinity)
    {
        var rows = affinity.Rows.Select(r => (Dilation: Convert.ToInt32(r[0]), Pair: (string)r[1], Value: Convert.ToDouble(r[2]))).ToArray();
        var lines = rows.GroupBy(r => r.Pair).Select(g =>
            CSharpChart.Line<int, double, string>(g.Select(r => r.Dilation).ToArray(), g.Select(r => r.Value).ToArray(), Name: g.Key, ShowMarkers: true));
        var chart = CSharpChart.Combine(lines)
            .WithXAxisStyle<double, double, string>(TitleText: "kernel dilation (pixels)")
            .WithYAxisStyle<double, double, string>(TitleText: "correspondence of dissimilar pairs (Jaccard)");
        return Plotly.NET.Chart.withTitle("Task affinity vs scale (MTI-Net Fig. 2b)", Microsoft.FSharp.Core.FSharpOption<Font>.None).Invoke(chart);
    }

    /// <summary>(dissimilar, valid) masks for pixel pairs (p, p + (dy, dx)) over the overlapping region.</summary>
    private static (Tensor Dissimilar, Tensor Valid) Dissimilar(string task, Tensor label, int dy, int dx, double depthThreshold)
    {
        var map = label.dim() == 4 ? label[.., 0] : label;              // [B, H, W]
        long h = map.shape[1], w = map.shape[2];
        var a = map.narrow(1, Math.Max(0, -dy), h - Math.Abs(dy)).narrow(2, Math.Max(0, -dx), w - Math.Abs(dx));
        var b = map.narrow(1, Math.Max(0, dy), h - Math.Abs(dy)).narrow(2, Math.Max(0, dx), w - Math.Abs(dx));
        using Scalar zero = 0, tiny = 1e-6, threshold = depthThreshold, ignore = 255, half = 0.5;
        switch (task)
        {
            case "depth":
                var valid = a.gt(zero).logical_and(b.gt(zero));
                var relative = (a - b).abs() / maximum(a, b).clamp_min(tiny);
                return (relative.gt(threshold), valid);
            case "semseg" or "human_parts":
                return (a.ne(b), a.ne(ignore).logical_and(b.ne(ignore)));
            default:
                return (a.gt(half).logical_xor(b.gt(half)), ones_like(a, ScalarType.Bool));
        }
    }
}
