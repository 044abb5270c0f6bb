using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>How MGDA normalises the task gradients before solving (Sener &amp; Koltun's code offers these four).</summary>
public enum GradientNormalization
{
    /// <summary>No normalisation (LibMTL's default).</summary>
    None,
    /// <summary>g_t / ‖g_t‖.</summary>
    L2,
    /// <summary>g_t / L_t.</summary>
    Loss,
    /// <summary>g_t / (L_t ‖g_t‖).</summary>
    LossPlus,
}

/// <summary>MGDA (Sener &amp; Koltun, "Multi-Task Learning as Multi-Objective Optimization", NeurIPS 2018; survey §3.1.5).
/// The shared update is the minimum-norm point of the convex hull of the task gradients, min_α ‖Σ_t α_t g_t‖² with α on
/// the simplex (§3.1): a direction that decreases every loss unless the point is Pareto-stationary. Solved by
/// <see cref="MinNormSolver"/> (Algorithm 1 closed form for two tasks, Algorithm 2 Frank–Wolfe otherwise) on the task
/// gradients over all shared parameters; the update Σ_t α_t g_t uses the raw gradients, as the authors' code applies
/// α to the raw losses. Hyper-parameter: the gradient normalisation (none by default).</summary>
public sealed record Mgda(GradientNormalization Normalization = GradientNormalization.None) : ILossBalancer
{
    public string Name => Normalization == GradientNormalization.None ? "MGDA" : $"MGDA ({Normalization})";

    public LossBalancer Create(BalancerContext context) => new MgdaModule(Normalization, upperBound: false);
}

/// <summary>MGDA-UB (Sener &amp; Koltun 2018, §3.3, Theorem 1): MGDA on the gradients with respect to the shared
/// representation Z instead of the shared parameters, an upper bound that needs only each task's backward pass
/// through its own head. The contract gives a balancer parameters, not features, so this implementation takes the
/// gradients with respect to the last shared layer (<see cref="StepContext.LastSharedParameters"/>, the parameters
/// that produce Z) as the cheap stand-in, then back-propagates Σ_t α_t L_t once.</summary>
public sealed record MgdaUB(GradientNormalization Normalization = GradientNormalization.None) : ILossBalancer
{
    public string Name => Normalization == GradientNormalization.None ? "MGDA-UB" : $"MGDA-UB ({Normalization})";

    public LossBalancer Create(BalancerContext context) => new MgdaModule(Normalization, upperBound: true);
}

/// <summary>Runtime of <see cref="Mgda"/> and <see cref="MgdaUB"/>.</summary>
public sealed class MgdaModule : GradientBalancer
{
    private readonly GradientNormalization _normalization;
    private readonly bool _upperBound;

    public MgdaModule(GradientNormalization normalization, bool upperBound) : base(upperBound ? nameof(MgdaUB) : nameof(Mgda))
    {
        _normalization = normalization;
        _upperBound = upperBound;
        RegisterComponents();
    }

    protected override GradientScope Scope => _upperBound ? GradientScope.LastSharedLayer : GradientScope.SharedParameters;

    protected override GradientCombination Combine(Tensor gradients, double[] losses, StepContext step)
    {
        var gram = Gram(gradients);
        int n = losses.Length;
        var scale = Enumerable.Range(0, n).Select(t => _normalization switch
        {
            GradientNormalization.L2 => Math.Sqrt(gram[t, t]),
            GradientNormalization.Loss => losses[t],
            GradientNormalization.LossPlus => losses[t] * Math.Sqrt(gram[t, t]),
            _ => 1.0,
        }).Select(s => s > 0 && double.IsFinite(s) ? s : 1.0).ToArray();
        var normalized = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) normalized[i, j] = gram[i, j] / (scale[i] * scale[j]);
        var alpha = MinNormSolver.Solve(normalized);
        return new GradientCombination(_upperBound ? null : Weighted(gradients, alpha), alpha);
    }
}

/// <summary>The minimum-norm element of the convex hull of vectors given by their Gram matrix M (Sener &amp; Koltun
/// 2018, Algorithms 1–2): argmin_{α ∈ simplex} αᵀ M α.</summary>
public static class MinNormSolver
{
    /// <summary>Algorithm 1, the two-vector closed form: the γ ∈ [0, 1] minimising ‖γ v₁ + (1 − γ) v₂‖², from v₁·v₁,
    /// v₁·v₂, v₂·v₂: γ = clip((v₂·v₂ − v₁·v₂) / ‖v₁ − v₂‖², 0, 1).</summary>
    public static double LineSearch(double v1v1, double v1v2, double v2v2)
    {
        if (v1v2 >= v1v1) return 1.0;
        if (v1v2 >= v2v2) return 0.0;
        double denominator = v1v1 + v2v2 - 2 * v1v2;
        return denominator <= 0 ? 0.5 : Math.Clamp((v2v2 - v1v2) / denominator, 0.0, 1.0);
    }

    /// <summary>The weights α (on the simplex) of the minimum-norm point. Two vectors: Algorithm 1. More: Algorithm 2,
    /// Frank–Wolfe with exact line search, started (as the authors' code does) from the best pair.</summary>
    public static double[] Solve(double[,] gram, int maxIterations = 250, double tolerance = 1e-10)
    {
        int n = gram.GetLength(0);
        if (n != gram.GetLength(1)) throw new ArgumentException($"The Gram matrix must be square, got {n}x{gram.GetLength(1)}.", nameof(gram));
        if (n == 1) return [1.0];
        var alpha = new double[n];
        double best = double.PositiveInfinity;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double g = LineSearch(gram[i, i], gram[i, j], gram[j, j]);
                double cost = g * g * gram[i, i] + 2 * g * (1 - g) * gram[i, j] + (1 - g) * (1 - g) * gram[j, j];
                if (cost < best)
                {
                    best = cost;
                    Array.Clear(alpha);
                    alpha[i] = g;
                    alpha[j] = 1 - g;
                }
            }
        if (n == 2) return alpha;

        for (int it = 0; it < maxIterations; it++)
        {
            var grad = BalancerMath.Multiply(gram, alpha);               // M α: v·g_t for each t
            int t = Array.IndexOf(grad, grad.Min());
            double gamma = LineSearch(BalancerMath.Dot(alpha, grad), grad[t], gram[t, t]);
            var next = alpha.Select(a => gamma * a).ToArray();
            next[t] += 1 - gamma;
            double change = next.Select((a, k) => Math.Abs(a - alpha[k])).Sum();
            alpha = next;
            if (change < tolerance) break;
        }
        return alpha;
    }
}
