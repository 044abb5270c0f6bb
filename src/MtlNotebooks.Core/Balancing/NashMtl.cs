using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>Nash-MTL (Navon, Shamsian, Achituve, Maron, Kawaguchi, Chechik &amp; Fetaya, ICML 2022, §3):
/// the Nash bargaining update Σ_t α_t g_t with α &gt; 0 solving (GGᵀ) α = 1/α element-wise. For orthogonal gradients this
/// gives α_t = 1/‖g_t‖ (the paper's illustration of its scale invariance). The paper approximates the solution by a
/// sequence of convex programs; for the small T here the solver is exact instead: (GGᵀ)α = 1/α is the optimality
/// condition of the strictly convex f(α) = ½ αᵀ GGᵀ α − Σ_t log α_t, minimised by damped Newton steps. As in the
/// authors' code, GGᵀ is first divided by its Frobenius norm (so α is that norm's square root times the exact
/// solution), and the combined shared gradient is clipped to norm <paramref name="MaxNorm"/> (1.0, the code's default;
/// 0 disables). The reported weights are α.</summary>
public sealed record NashMtl(double MaxNorm = 1.0) : ILossBalancer
{
    public string Name => "Nash-MTL";

    public IEnumerable<string> Validate(BalancerContext context)
    {
        if (!(MaxNorm >= 0) || double.IsInfinity(MaxNorm))
            yield return $"UseBalancer(NashMtl): MaxNorm must be finite and >= 0 (0 disables clipping), got {MaxNorm}.";
    }

    public LossBalancer Create(BalancerContext context) => new NashMtlModule(MaxNorm);
}

/// <summary>Runtime of <see cref="NashMtl"/>.</summary>
public sealed class NashMtlModule : GradientBalancer
{
    private readonly double _maxNorm;

    public NashMtlModule(double maxNorm) : base(nameof(NashMtl))
    {
        _maxNorm = maxNorm;
        RegisterComponents();
    }

    /// <summary>The α &gt; 0 with M α = 1/α for a positive semi-definite M with a positive diagonal.</summary>
    public static double[] Bargain(double[,] gram, int maxIterations = 100)
    {
        int n = gram.GetLength(0);
        var alpha = Enumerable.Range(0, n).Select(t => 1.0 / Math.Sqrt(Math.Max(gram[t, t], 1e-12))).ToArray();
        double F(double[] a) => 0.5 * BalancerMath.Quadratic(gram, a, a) - a.Sum(Math.Log);
        for (int it = 0; it < maxIterations; it++)
        {
            var ma = BalancerMath.Multiply(gram, alpha);
            var g = ma.Select((v, i) => v - 1 / alpha[i]).ToArray();
            if (Math.Sqrt(BalancerMath.Dot(g, g)) < 1e-12) break;
            var h = (double[,])gram.Clone();
            for (int i = 0; i < n; i++) h[i, i] += 1 / (alpha[i] * alpha[i]);
            var step = BalancerMath.Solve(h, g);
            // Damped: stay positive and decrease f (Armijo).
            double t = 1, f0 = F(alpha), slope = BalancerMath.Dot(g, step);
            double[] next;
            while (true)
            {
                next = alpha.Select((a, i) => a - t * step[i]).ToArray();
                if (next.All(a => a > 0) && F(next) <= f0 - 1e-4 * t * slope) break;
                t /= 2;
                if (t < 1e-12) { next = alpha; break; }
            }
            if (ReferenceEquals(next, alpha)) break;
            alpha = next;
        }
        return alpha;
    }

    /// <summary>The weights the authors' code uses: the solution for GGᵀ / ‖GGᵀ‖_F.</summary>
    public static double[] Weights(double[,] gram)
    {
        int n = gram.GetLength(0);
        double frobenius = 0;
        foreach (var v in gram) frobenius += v * v;
        frobenius = Math.Sqrt(frobenius);
        if (!(frobenius > 0)) return Enumerable.Repeat(1.0, n).ToArray();
        var normalized = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) normalized[i, j] = gram[i, j] / frobenius;
        return Bargain(normalized);
    }

    protected override GradientCombination Combine(Tensor gradients, double[] losses, StepContext step)
    {
        var alpha = Weights(Gram(gradients));
        var combined = Weighted(gradients, alpha);
        if (_maxNorm > 0)
        {
            double norm = combined.norm().to(ScalarType.Float64).item<double>();
            if (norm > _maxNorm)
            {
                using Scalar shrink = _maxNorm / norm;
                combined = combined.mul(shrink);
            }
        }
        return new GradientCombination(combined, alpha);
    }
}
