using TorchSharp;
using static TorchSharp.torch;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Balancing;

/// <summary>MoCo (Fernando, Shen, Liu, Chaudhury, Murugesan &amp; Chen, "Mitigating Gradient Bias in Multi-objective
/// Learning: A Provably Convergent Approach", ICLR 2023, §3, Algorithm 1). MGDA's weights computed from stochastic
/// gradients are biased; MoCo tracks each task's gradient with a moving estimate y_t and updates the weights λ by a
/// projected (here, as in LibMTL, softmax-normalised) gradient step: with ĝ_t = L_t g_t / ‖g_t‖ (LibMTL's normalisation),
/// y ← y − β_k (y − ĝ), λ ← softmax(λ − γ_k (Y Yᵀ + ρ I) λ), update Yᵀ λ, where β_k = β / k^{σ_β}, γ_k = γ / k^{σ_γ}
/// at step k (from 1). Hyper-parameters (LibMTL's defaults): β 0.5, σ_β 0.5, γ 0.1, σ_γ 0.5, ρ 0. The tracked gradients
/// Y [T, P] (P: the shared parameters' size), λ and k are buffers, so a resumed run continues exactly. The reported
/// weights are λ.</summary>
public sealed record MoCo(double Beta = 0.5, double BetaSigma = 0.5, double Gamma = 0.1, double GammaSigma = 0.5, double Rho = 0.0) : ILossBalancer
{
    public string Name => "MoCo";

    public IEnumerable<string> Validate(BalancerContext context)
    {
        if (!(Beta > 0 && Beta <= 1)) yield return $"UseBalancer(MoCo): Beta must be in (0, 1], got {Beta}.";
        if (!(Gamma > 0) || double.IsInfinity(Gamma)) yield return $"UseBalancer(MoCo): Gamma must be finite and > 0, got {Gamma}.";
        if (!(BetaSigma >= 0) || !(GammaSigma >= 0) || !(Rho >= 0))
            yield return $"UseBalancer(MoCo): BetaSigma, GammaSigma and Rho must be >= 0, got {BetaSigma}, {GammaSigma}, {Rho}.";
    }

    public LossBalancer Create(BalancerContext context) =>
        new MoCoModule(context.Tasks.Count, this, context.SharedParameterCount?.Invoke() ?? 0);
}

/// <summary>Runtime of <see cref="MoCo"/>: Y, λ and the step count are buffers.</summary>
public sealed class MoCoModule : GradientBalancer
{
    private readonly Tensor tracked;     // [T, P] y
    private readonly Tensor lambda;      // [T]
    private readonly Tensor steps;       // [1] k
    private readonly MoCo _spec;

    public MoCoModule(int tasks, MoCo spec, long sharedSize = 0) : base(nameof(MoCo))
    {
        _spec = spec;
        tracked = zeros(tasks, sharedSize);
        using Scalar share = 1.0 / tasks;
        lambda = full(tasks, share);
        steps = zeros(1, ScalarType.Int64);
        RegisterComponents();
    }

    /// <summary>The weights λ.</summary>
    public Tensor Lambda => lambda;

    protected override GradientCombination Combine(Tensor gradients, double[] losses, StepContext step)
    {
        using var _ = no_grad();
        StatefulGradients.Fit(tracked, gradients);
        using Scalar one = 1, eps = 1e-8, rho = _spec.Rho;
        steps.add_(one, One);
        double k = steps.cpu().item<long>();
        using Scalar beta = _spec.Beta / Math.Pow(k, _spec.BetaSigma), gamma = _spec.Gamma / Math.Pow(k, _spec.GammaSigma);
        var scale = tensor(losses.Select(l => (float)l).ToArray()).to(gradients.device).unsqueeze(1);
        var normalised = gradients / gradients.norm(1, keepdim: true).add(eps, One) * scale;
        tracked.sub_((tracked - normalised).mul(beta));
        var yy = tracked.mm(tracked.t()).add(eye(losses.Length, device: gradients.device).mul(rho), One);
        lambda.copy_((lambda - yy.mv(lambda).mul(gamma)).softmax(0));
        var weights = lambda.to(ScalarType.Float64).cpu().data<double>().ToArray();
        return new GradientCombination(tracked.t().mv(lambda), weights);
    }
}
