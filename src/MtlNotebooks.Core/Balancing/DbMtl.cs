using TorchSharp;
using static TorchSharp.torch;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Balancing;

/// <summary>DB-MTL, dual-balancing multi-task learning (Lin, Jiang, Ye, Zhang, Chen, Chen &amp; Kwok, "Dual-Balancing for
/// Multi-Task Learning", 2023, §3, Algorithm 1). Loss scale is balanced by a logarithm: the task gradients are those of
/// log(L_t + ε), which are invariant to each loss's scale. Gradient magnitude is balanced by normalisation: an
/// exponential moving average ĝ_t ← g_t + β_k (ĝ_t − g_t) of those gradients (β_k = β / k^σ at step k) is rescaled to
/// the largest norm, α_t = max_s ‖ĝ_s‖ / ‖ĝ_t‖, and the update is Σ_t α_t ĝ_t. Hyper-parameters: β
/// (<paramref name="Beta"/>, 0.9) and σ (<paramref name="BetaSigma"/>, 0), LibMTL's defaults. The moving averages [T, P]
/// and k are buffers, so a resumed run continues exactly. Task-specific parameters get the gradient of Σ_t log L_t. The
/// reported weights are α.</summary>
public sealed record DbMtl(double Beta = 0.9, double BetaSigma = 0.0) : ILossBalancer
{
    public string Name => "DB-MTL";

    public IEnumerable<string> Validate(BalancerContext context)
    {
        if (!(Beta >= 0 && Beta < 1)) yield return $"UseBalancer(DbMtl): Beta must be in [0, 1), got {Beta}.";
        if (!(BetaSigma >= 0) || double.IsInfinity(BetaSigma)) yield return $"UseBalancer(DbMtl): BetaSigma must be finite and >= 0, got {BetaSigma}.";
    }

    public LossBalancer Create(BalancerContext context) =>
        new DbMtlModule(context.Tasks.Count, Beta, BetaSigma, context.SharedParameterCount?.Invoke() ?? 0);
}

/// <summary>Runtime of <see cref="DbMtl"/>: the gradient averages and the step count are buffers.</summary>
public sealed class DbMtlModule : GradientBalancer
{
    private readonly Tensor averages;    // [T, P] ĝ
    private readonly Tensor steps;       // [1] k
    private readonly double _beta;
    private readonly double _betaSigma;

    public DbMtlModule(int tasks, double beta = 0.9, double betaSigma = 0.0, long sharedSize = 0) : base(nameof(DbMtl))
    {
        _beta = beta;
        _betaSigma = betaSigma;
        averages = zeros(tasks, sharedSize);
        steps = zeros(1, ScalarType.Int64);
        RegisterComponents();
    }

    protected override Tensor TransformLosses(Tensor losses)
    {
        using Scalar eps = 1e-8;
        return losses.add(eps, One).log();
    }

    protected override GradientCombination Combine(Tensor gradients, double[] losses, StepContext step)
    {
        using var _ = no_grad();
        StatefulGradients.Fit(averages, gradients);
        using Scalar one = 1, eps = 1e-8;
        steps.add_(one, One);
        double k = steps.cpu().item<long>();
        using Scalar beta = _beta / Math.Pow(k, _betaSigma);
        averages.copy_(gradients.add((averages - gradients).mul(beta), One));
        var norms = averages.square().sum(1).sqrt();
        var alpha = norms.max() / norms.add(eps, One);
        var weights = alpha.to(ScalarType.Float64).cpu().data<double>().ToArray();
        return new GradientCombination(alpha.unsqueeze(1).mul(averages).sum(dim: 0), weights);
    }
}
