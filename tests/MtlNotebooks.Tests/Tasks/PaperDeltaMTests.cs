using System.Globalization;
using MtlNotebooks.Analysis;

namespace MtlNotebooks.Tests.Tasks;

/// <summary>Δm (ASTMT eq. 4 / MTI-Net §3) recomputed from the per-task numbers MTI-Net prints. The printed inputs are
/// rounded, so the test takes every input's rounding interval (± half a unit of its last printed digit) and checks that
/// the printed Δm lies in the interval of Δm those inputs allow (± its own rounding).</summary>
public sealed class PaperDeltaMTests
{
    private static (double Value, double HalfUnit) Printed(string number)
    {
        int decimals = number.Contains('.') ? number.Length - number.IndexOf('.') - 1 : 0;
        return (double.Parse(number, CultureInfo.InvariantCulture), 0.5 * Math.Pow(10, -decimals));
    }

    private static (double Computed, double Min, double Max) DeltaMWithRounding(params (MetricDirection Direction, string Baseline, string Model)[] tasks)
    {
        var computed = DeltaM.Compute(tasks.Select((t, i) => ($"t{i}", t.Direction, Printed(t.Baseline).Value, Printed(t.Model).Value)).ToArray());
        double min = 0, max = 0;
        foreach (var (direction, baseline, model) in tasks)
        {
            var (b, hb) = Printed(baseline);
            var (m, hm) = Printed(model);
            // Each task's term is monotonic in both inputs: the extremes are at the corners.
            var corners = new[] { (b - hb, m - hm), (b - hb, m + hm), (b + hb, m - hm), (b + hb, m + hm) }
                .Select(c => DeltaM.PerTask([("t", direction, c.Item1, c.Item2)])[0].Percent).ToArray();
            min += corners.Min() / tasks.Length;
            max += corners.Max() / tasks.Length;
        }
        return (computed, min, max);
    }

    // MTI-Net Table 3 (NYUD-v2, HRNet-18; single-task 33.18 mIoU, 0.667 rmse).
    [Theory]
    [InlineData("32.80", "0.660", -0.02)]
    [InlineData("34.88", "0.650", 3.80)]
    [InlineData("35.01", "0.630", 5.53)]
    [InlineData("35.12", "0.620", 6.40)]
    public void DeltaM_MtiNetTable3_PrintedValueWithinRounding(string seg, string depth, double printed)
    {
        var (computed, min, max) = DeltaMWithRounding(
            (MetricDirection.HigherIsBetter, "33.18", seg),
            (MetricDirection.LowerIsBetter, "0.667", depth));
        Assert.InRange(printed, min - 0.005, max + 0.005);
        Assert.InRange(computed, printed - 0.1, printed + 0.1);
    }

    // MTI-Net Table 5 (PASCAL, single-task vs multi-task per model): seg, parts, sal, edge ↑; normals ↓.
    [Theory]
    [InlineData("64.9", "64.6", "57.1", "57.3", "64.2", "64.7", "71.3", "71.0", "14.9", "15.0", -0.11)]  // ASTMT R26-DLv3+
    [InlineData("60.1", "53.6", "60.7", "59.6", "67.2", "65.8", "69.7", "72.5", "14.6", "15.3", -3.08)]  // PAD-Net HRNet-18
    [InlineData("64.5", "65.7", "57.4", "61.6", "66.4", "66.8", "68.2", "73.9", "14.8", "14.6", 3.84)]   // MTI-Net R18-FPN
    public void DeltaM_MtiNetTable5Pascal_PrintedValueWithinRounding(
        string segSt, string segMt, string partsSt, string partsMt, string salSt, string salMt,
        string edgeSt, string edgeMt, string normSt, string normMt, double printed)
    {
        var (computed, min, max) = DeltaMWithRounding(
            (MetricDirection.HigherIsBetter, segSt, segMt),
            (MetricDirection.HigherIsBetter, partsSt, partsMt),
            (MetricDirection.HigherIsBetter, salSt, salMt),
            (MetricDirection.HigherIsBetter, edgeSt, edgeMt),
            (MetricDirection.LowerIsBetter, normSt, normMt));
        Assert.InRange(printed, min - 0.005, max + 0.005);
        Assert.InRange(computed, printed - 0.1, printed + 0.1);
    }
}
