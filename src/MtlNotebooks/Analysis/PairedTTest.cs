using MathNet.Numerics.Distributions;

namespace MtlNotebooks.Analysis;

/// <summary>Student's paired t-test over seeds. Two configurations trained with the same seeds share initial weights' random
/// stream, data order and baselines, so the per-seed differences are the fair sample (Δm of both is taken against that seed's
/// single-task networks).</summary>
public static class PairedTTest
{
    /// <summary>The two-sided p-value that the mean of <paramref name="a"/>[i] − <paramref name="b"/>[i] is zero (n − 1 degrees
    /// of freedom). NaN with fewer than two pairs or a non-finite value; 1 when every difference is zero, 0 when all are
    /// equal and non-zero.</summary>
    /// <exception cref="ArgumentException">The lists differ in length.</exception>
    public static double PValue(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
            throw new ArgumentException($"A paired test needs one value of each per seed; got {a.Count} and {b.Count}.", nameof(b));
        if (a.Count < 2) return double.NaN;
        var differences = a.Zip(b, (x, y) => x - y).ToArray();
        if (differences.Any(d => !double.IsFinite(d))) return double.NaN;
        var (mean, std) = DeltaM.MeanAndStd(differences);
        if (std == 0) return mean == 0 ? 1.0 : 0.0;
        var t = mean / (std / Math.Sqrt(differences.Length));
        return 2 * StudentT.CDF(0, 1, differences.Length - 1, -Math.Abs(t));
    }
}
