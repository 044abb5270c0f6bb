using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>UPGrad, unconflicting projection of gradients (Quinton &amp; Rey, "Jacobian Descent for Multi-Objective
/// Optimization", 2024, §4, eq. 3 and Proposition 1): each scaled gradient g_i / T is projected onto the dual cone of the
/// task gradients {x : g_tᵀ x ≥ 0 for all t}, and the update is the sum of the projections, so no task's loss increases
/// to first order and non-conflicting gradients give the plain mean. By Proposition 1 the projection of Gᵀu is Gᵀv with
/// v = argmin vᵀ (G Gᵀ) v subject to v ≥ u, a small quadratic programme on the Gram matrix, solved here by exact
/// coordinate descent (the reference uses quadprog). As in TorchJD, the Gram matrix is first divided by its trace
/// (<paramref name="NormEpsilon"/>: below it the Gram matrix is taken as zero) and <paramref name="RegEpsilon"/> times the
/// identity is added (both 1e-4, LibMTL's defaults). The reported weights are Σ_i v^{(i)}.</summary>
public sealed record UPGrad(double NormEpsilon = 1e-4, double RegEpsilon = 1e-4) : ILossBalancer
{
    public string Name => "UPGrad";

    public IEnumerable<string> Validate(BalancerContext context)
    {
        if (!(NormEpsilon >= 0) || !(RegEpsilon >= 0) || double.IsInfinity(NormEpsilon) || double.IsInfinity(RegEpsilon))
            yield return $"UseBalancer(UPGrad): NormEpsilon and RegEpsilon must be finite and >= 0, got {NormEpsilon} and {RegEpsilon}.";
    }

    public LossBalancer Create(BalancerContext context) => new UPGradModule(NormEpsilon, RegEpsilon);
}

/// <summary>Runtime of <see cref="UPGrad"/>.</summary>
public sealed class UPGradModule : GradientBalancer
{
    private readonly double _normEpsilon;
    private readonly double _regEpsilon;

    public UPGradModule(double normEpsilon, double regEpsilon) : base(nameof(UPGrad))
    {
        _normEpsilon = normEpsilon;
        _regEpsilon = regEpsilon;
        RegisterComponents();
    }

    /// <summary>argmin vᵀ M v subject to v ≥ u, for a positive definite M, by coordinate descent (each coordinate's exact
    /// minimiser, clipped at its bound; converges for a strictly convex quadratic).</summary>
    public static double[] Project(double[,] gram, double[] lower, int maxSweeps = 100_000)
    {
        int n = lower.Length;
        var v = (double[])lower.Clone();
        for (int sweep = 0; sweep < maxSweeps; sweep++)
        {
            double change = 0;
            for (int i = 0; i < n; i++)
            {
                if (!(gram[i, i] > 0)) continue;
                double s = 0;
                for (int j = 0; j < n; j++) if (j != i) s += gram[i, j] * v[j];
                double next = Math.Max(lower[i], -s / gram[i, i]);
                change = Math.Max(change, Math.Abs(next - v[i]));
                v[i] = next;
            }
            if (change < 1e-15) break;
        }
        return v;
    }

    /// <summary>The UPGrad weights Σ_i argmin_{v ≥ e_i/T} vᵀ M v for the normalised, regularised Gram matrix.</summary>
    public static double[] Weights(double[,] gram, double normEpsilon = 1e-4, double regEpsilon = 1e-4)
    {
        int n = gram.GetLength(0);
        double trace = Enumerable.Range(0, n).Sum(i => gram[i, i]);
        var m = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) m[i, j] = trace < normEpsilon || !(trace > 0) ? 0 : gram[i, j] / trace;
            m[i, i] += regEpsilon;
        }
        var weights = new double[n];
        for (int i = 0; i < n; i++)
        {
            var u = new double[n];
            u[i] = 1.0 / n;
            var v = Project(m, u);
            for (int k = 0; k < n; k++) weights[k] += v[k];
        }
        return weights;
    }

    protected override GradientCombination Combine(Tensor gradients, double[] losses, StepContext step)
    {
        var weights = Weights(Gram(gradients), _normEpsilon, _regEpsilon);
        return new GradientCombination(Weighted(gradients, weights), weights);
    }
}
