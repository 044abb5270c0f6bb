using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

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
