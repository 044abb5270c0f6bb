using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>Conflict-averse gradient descent (Liu, Liu, Jin, Stone &amp; Liu, NeurIPS 2021, §3, Algorithm 1): with the
/// average gradient g₀ = (1/T) Σ g_t, find w on the simplex minimising F(w) = g_wᵀ g₀ + c ‖g₀‖ ‖g_w‖ (the dual of the
/// paper's constrained problem, g_w = Σ w_t g_t), then update along d = g₀ + (c ‖g₀‖ / ‖g_w‖) g_w, divided by 1 + c² as the authors' code
/// does by default (its "rescale = 1"). The update is Σ_t ((1/T + λ w_t) / (1 + c²)) g_t, whose coefficients are the
/// reported weights. Hyper-parameter: c (<paramref name="C"/>, 0.4, the value of the paper's multi-task experiments;
/// c = 0 is plain gradient descent on the mean loss). The dual is solved on the T×T Gram matrix by projected gradient
/// descent (the authors use SLSQP).</summary>
public sealed record CAGrad(double C = 0.4) : ILossBalancer
{
    public string Name => $"CAGrad (c {C:0.###})";

    public IEnumerable<string> Validate(BalancerContext context)
    {
        if (!(C >= 0) || double.IsInfinity(C))
            yield return $"UseBalancer(CAGrad): C must be finite and >= 0, got {C}.";
    }

    public LossBalancer Create(BalancerContext context) => new CAGradModule(C);
}

/// <summary>Runtime of <see cref="CAGrad"/>.</summary>
public sealed class CAGradModule : GradientBalancer
{
    private readonly double _c;

    public CAGradModule(double c) : base(nameof(CAGrad))
    {
        _c = c;
        RegisterComponents();
    }

    /// <summary>The coefficients of the CAGrad update in the task gradients, from their Gram matrix.</summary>
    public static double[] Weights(double[,] gram, double c)
    {
        int n = gram.GetLength(0);
        var b = Enumerable.Repeat(1.0 / n, n).ToArray();
        double g0Norm = Math.Sqrt(Math.Max(BalancerMath.Quadratic(gram, b, b), 0));
        double scaled = c * g0Norm;
        var mb = BalancerMath.Multiply(gram, b);
        var w = BalancerMath.MinimizeOnSimplex(
            x => BalancerMath.Dot(x, mb) + scaled * Math.Sqrt(Math.Max(BalancerMath.Quadratic(gram, x, x), 0) + 1e-16),
            x =>
            {
                var mx = BalancerMath.Multiply(gram, x);
                double norm = Math.Sqrt(Math.Max(BalancerMath.Dot(x, mx), 0) + 1e-16);
                return mb.Select((v, i) => v + scaled * mx[i] / norm).ToArray();
            },
            n);
        double gwNorm = Math.Sqrt(Math.Max(BalancerMath.Quadratic(gram, w, w), 0));
        double lambda = gwNorm > 0 ? scaled / gwNorm : 0;
        return w.Select(x => (1.0 / n + lambda * x) / (1 + c * c)).ToArray();
    }

    protected override GradientCombination Combine(Tensor gradients, double[] losses, StepContext step)
    {
        var weights = Weights(Gram(gradients), _c);
        return new GradientCombination(Weighted(gradients, weights), weights);
    }
}
