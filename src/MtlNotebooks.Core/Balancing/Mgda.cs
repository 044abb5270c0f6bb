using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

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
