using Microsoft.Data.Analysis;

namespace MtlNotebooks.Analysis;

/// <summary>Parameters and multiply-accumulates (MACs) of a network for one image of <see cref="Height"/>×<see cref="Width"/>,
/// the figures the papers' tables report, with the per-layer breakdown.</summary>
public sealed record ResourceCount(int Height, int Width, long Parameters, long MultiplyAccumulates, IReadOnlyList<LayerResources> Layers)
{
    public double GigaMacs => MultiplyAccumulates / 1e9;
    public double MillionParameters => Parameters / 1e6;

    /// <summary>MACs and parameters summed per prefix of the module path cut at <paramref name="depth"/> segments
    /// (depth 1: conv1, bn1, layer1, …), in order of first use.</summary>
    public IReadOnlyList<LayerResources> ByPrefix(int depth) => Layers
        .GroupBy(l => string.Join('.', l.Module.Split('.').Take(depth)))
        .Select(g => new LayerResources(g.Key, g.Count() == 1 ? g.First().Type : $"{g.Count()} layers", g.Last().OutputShape,
            g.Sum(l => l.Parameters), g.Sum(l => l.MultiplyAccumulates)))
        .ToArray();

    /// <summary>One row per layer call (or per prefix when <paramref name="depth"/> is given): module, type, output shape, parameters, MACs.</summary>
    public DataFrame ToDataFrame(int? depth = null)
    {
        var rows = depth is { } d ? ByPrefix(d) : Layers;
        return new DataFrame(
            new StringDataFrameColumn("Module", rows.Select(r => r.Module)),
            new StringDataFrameColumn("Type", rows.Select(r => r.Type)),
            new StringDataFrameColumn("Output", rows.Select(r => $"[{string.Join(", ", r.OutputShape)}]")),
            new PrimitiveDataFrameColumn<long>("Parameters", rows.Select(r => r.Parameters)),
            new PrimitiveDataFrameColumn<long>("MACs", rows.Select(r => r.MultiplyAccumulates)));
    }

    public override string ToString() =>
        $"{Parameters:N0} parameters, {GigaMacs:0.###} G multiply-accumulates at {Height}×{Width}";
}
