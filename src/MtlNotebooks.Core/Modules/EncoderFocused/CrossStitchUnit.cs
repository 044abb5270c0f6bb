using TorchSharp.Modules;
using static TorchSharp.torch;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>A cross-stitch unit (Misra et al. 2016; survey §2.2.1, eq. 1): task i's output is Σ_j α_ij ⊙ x_j, with a
/// learnable per-channel α for every ordered task pair, initialised α on the diagonal and
/// β off it. Keys <c>cross_stitch_unit.{i}.{j}.param</c> as the survey code.</summary>
public sealed class CrossStitchUnit : nn.Module<IReadOnlyDictionary<string, Tensor>, Dictionary<string, Tensor>>
{
    private readonly ModuleDict<ModuleDict<ChannelWiseMultiply>> cross_stitch_unit;
    private readonly string[] _tasks;

    public CrossStitchUnit(IReadOnlyList<string> tasks, int channels, double alpha, double beta) : base(nameof(CrossStitchUnit))
    {
        _tasks = [.. tasks];
        cross_stitch_unit = new ModuleDict<ModuleDict<ChannelWiseMultiply>>();
        foreach (var i in _tasks)
        {
            var row = new ModuleDict<ChannelWiseMultiply>();
            foreach (var j in _tasks) row.Add(j, new ChannelWiseMultiply(channels, i == j ? alpha : beta));
            cross_stitch_unit.Add(i, row);
        }
        RegisterComponents();
    }

    /// <summary>The per-channel weight of task <paramref name="j"/>'s features in task <paramref name="i"/>'s output.</summary>
    public Parameter Weight(string i, string j) => cross_stitch_unit[i][j].Weight;

    public override Dictionary<string, Tensor> forward(IReadOnlyDictionary<string, Tensor> x) =>
        _tasks.ToDictionary(i => i, i => _tasks.Select(j => cross_stitch_unit[i][j].call(x[j])).Aggregate((a, b) => a.add(b, One)));
}
