using Microsoft.Data.Analysis;
using Plotly.NET;
using Plotly.NET.CSharp;
using static TorchSharp.torch;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace MtlNotebooks.Analysis;

/// <summary>Tables and charts of how TaskPrompter's task prompts attend to one another, block by block
/// (<see cref="MtlNotebooks.Modules.DecoderFocused.TaskPrompterModule.PromptAttention"/>: [depth, T, T], rows the attending
/// task, each row a distribution over the prompts). Off the diagonal is what one task takes from another: what its
/// cross-task reweighting mixes in (Ye &amp; Xu, ICLR 2023, §3.3).</summary>
public static class PromptAttentionMaps
{
    /// <summary>One row per shown block and pair of tasks: block (1-based), attending task, attended task, attention.</summary>
    public static DataFrame Table(Tensor attention, IReadOnlyList<string> tasks, IReadOnlyList<int>? blocks = null)
    {
        var values = Read(attention, tasks);
        var shown = blocks ?? Enumerable.Range(1, values.Length).ToArray();
        var block = new PrimitiveDataFrameColumn<int>("block");
        var from = new StringDataFrameColumn("attending task");
        var to = new StringDataFrameColumn("attended task");
        var weight = new DoubleDataFrameColumn("attention");
        foreach (var b in Checked(shown, values.Length))
            for (int i = 0; i < tasks.Count; i++)
                for (int j = 0; j < tasks.Count; j++)
                {
                    block.Append(b);
                    from.Append(tasks[i]);
                    to.Append(tasks[j]);
                    weight.Append(Math.Round(values[b - 1][i, j], 4));
                }
        return new DataFrame(block, from, to, weight);
    }

    /// <summary>One task × task heat map per shown block (1-based), the attention written in every cell.</summary>
    public static GenericChart HeatMap(Tensor attention, IReadOnlyList<string> tasks, IReadOnlyList<int> blocks)
    {
        var values = Read(attention, tasks);
        var shown = Checked(blocks, values.Length);
        var names = shown.Select(b => $"block {b}").ToList();
        var panels = shown.Select((b, d) => CSharpChart.Heatmap<double, string, string, string>(
                tasks.Select((_, i) => tasks.Select((_, j) => values[b - 1][i, j])).ToArray(),
                X: tasks.ToArray(), Y: tasks.ToArray(),
                MultiText: tasks.SelectMany((_, i) => tasks.Select((_, j) => $"{values[b - 1][i, j]:0.00}")).ToArray(),
                ColorScale: StyleParam.Colorscale.Viridis, ShowScale: d == shown.Count - 1, Name: names[d]))
            .ToArray();
        var grid = CSharpChart.Grid(panels, 1, panels.Length, SubPlotTitles: names, XGap: 0.15)
            .WithSize(Math.Clamp(260 * panels.Length, 520, 1100), 360);
        return Charts.WithTitle(grid, "How each task's prompt (row) attends to the prompts (columns)");
    }

    private static double[][,] Read(Tensor attention, IReadOnlyList<string> tasks)
    {
        if (attention.dim() != 3 || attention.shape[1] != tasks.Count || attention.shape[2] != tasks.Count)
            throw new ArgumentException($"Prompt attention is [depth, T, T] with T = {tasks.Count} tasks ({string.Join(", ", tasks)}); " +
                                        $"got [{string.Join(", ", attention.shape)}].", nameof(attention));
        using var cpu = attention.detach().cpu().to_type(ScalarType.Float64);
        var flat = cpu.data<double>().ToArray();
        int t = tasks.Count;
        return Enumerable.Range(0, (int)attention.shape[0]).Select(d =>
        {
            var m = new double[t, t];
            for (int i = 0; i < t; i++) for (int j = 0; j < t; j++) m[i, j] = flat[(d * t + i) * t + j];
            return m;
        }).ToArray();
    }

    private static IReadOnlyList<int> Checked(IReadOnlyList<int> blocks, int depth)
    {
        var wrong = blocks.Where(b => b < 1 || b > depth).ToArray();
        if (wrong.Length > 0 || blocks.Count == 0)
            throw new ArgumentException($"Blocks are numbered 1…{depth}; got [{string.Join(", ", blocks)}].", nameof(blocks));
        return blocks;
    }
}
