using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>FairGrad (Ban &amp; Ji, "Fair Resource Allocation in Multi-Task Learning", ICML 2024, §4): the update
/// Σ_t w_t g_t whose loss decreases g_tᵀ d allocate "resources" α-fairly, which gives the optimality condition
/// (G Gᵀ) w = w^{−1/α} element-wise with w &gt; 0. α = 1 is proportional fairness (the Nash bargaining condition of
/// Nash-MTL), α → ∞ approaches max-min fairness. For orthogonal gradients w_t = ‖g_t‖^{−2α/(α+1)}. The condition is the
/// optimality condition of the strictly convex ½ wᵀ G Gᵀ w − Σ_t h(w_t) with h′(w) = w^{−1/α}, solved exactly by damped
/// Newton steps (the authors' code uses least squares). As in the authors' code, the weights multiply the losses, so
/// every parameter gets the gradient of Σ_t w_t L_t. Hyper-parameter: α (<paramref name="Alpha"/>, 1, LibMTL's default;
/// the paper's experiments use 0.5 to 2).</summary>
public sealed record FairGrad(double Alpha = 1.0) : ILossBalancer
{
    public string Name => $"FairGrad (α {Alpha:0.###})";

    public IEnumerable<string> Validate(BalancerContext context)
    {
        if (!(Alpha > 0) || double.IsInfinity(Alpha))
            yield return $"UseBalancer(FairGrad): Alpha must be finite and > 0, got {Alpha}.";
    }

    public LossBalancer Create(BalancerContext context) => new FairGradModule(Alpha);
}

/// <summary>Runtime of <see cref="FairGrad"/>.</summary>
public sealed class FairGradModule : GradientBalancer
{
    private readonly double _alpha;

    public FairGradModule(double alpha) : base(nameof(FairGrad))
    {
        _alpha = alpha;
        RegisterComponents();
    }

    protected override GradientScope Scope => GradientScope.WeightedLoss;

    /// <summary>The w &gt; 0 with M w = w^{−1/α}, for a positive semi-definite M with a positive diagonal.</summary>
    public static double[] Weights(double[,] gram, double alpha, int maxIterations = 200)
    {
        int n = gram.GetLength(0);
        double p = 1 / alpha;
        double H(double w) => Math.Abs(p - 1) < 1e-12 ? Math.Log(w) : Math.Pow(w, 1 - p) / (1 - p);
        double F(double[] w) => 0.5 * BalancerMath.Quadratic(gram, w, w) - w.Sum(H);
        var x = Enumerable.Range(0, n).Select(t => Math.Pow(Math.Max(gram[t, t], 1e-12), -alpha / (alpha + 1))).ToArray();
        for (int it = 0; it < maxIterations; it++)
        {
            var mx = BalancerMath.Multiply(gram, x);
            var g = mx.Select((v, i) => v - Math.Pow(x[i], -p)).ToArray();
            if (Math.Sqrt(BalancerMath.Dot(g, g)) < 1e-13) break;
            var h = (double[,])gram.Clone();
            for (int i = 0; i < n; i++) h[i, i] += p * Math.Pow(x[i], -p - 1);
            double[] step;
            try { step = BalancerMath.Solve(h, g); }
            catch (InvalidOperationException) { break; }
            double t = 1, f0 = F(x), slope = BalancerMath.Dot(g, step);
            double[] next;
            while (true)
            {
                next = x.Select((a, i) => a - t * step[i]).ToArray();
                if (next.All(a => a > 0) && F(next) <= f0 - 1e-4 * t * slope) break;
                t /= 2;
                if (t < 1e-14) { next = x; break; }
            }
            if (ReferenceEquals(next, x)) break;
            x = next;
        }
        return x;
    }

    protected override GradientCombination Combine(Tensor gradients, double[] losses, StepContext step) =>
        new(null, Weights(Gram(gradients), _alpha));
}
