using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>MoDo, multi-objective gradient with double sampling (Chen, Fernando, Ying &amp; Chen, "Three-Way Trade-Off in
/// Multi-Objective Learning: Optimization, Generalization and Conflict-Avoidance", NeurIPS 2023, §3, Algorithm 1): the
/// weights λ on the simplex take one projected gradient step per iteration on ½‖Gᵀλ‖² + ½ρ‖λ‖²,
/// λ ← Π_Δ(λ − γ (G₁ G₂ᵀ λ + ρ λ)), and the network moves along G₃ᵀ λ, where G₁, G₂, G₃ are the task gradients of three
/// independent samples (λ = 1/T at the start). The trainer draws one batch per step, so here the three are the same
/// batch's gradients G (the paper's single-sample variant, which keeps the stochastic MGDA bias that double sampling
/// removes). Hyper-parameters (LibMTL's defaults): γ (<paramref name="Gamma"/>, 0.001) and ρ (<paramref name="Rho"/>,
/// 0.1). λ is a buffer, so a resumed run continues exactly; the reported weights are λ.</summary>
public sealed record MoDo(double Gamma = 0.001, double Rho = 0.1) : ILossBalancer
{
    public string Name => "MoDo";

    public IEnumerable<string> Validate(BalancerContext context)
    {
        if (!(Gamma > 0) || double.IsInfinity(Gamma)) yield return $"UseBalancer(MoDo): Gamma must be finite and > 0, got {Gamma}.";
        if (!(Rho >= 0) || double.IsInfinity(Rho)) yield return $"UseBalancer(MoDo): Rho must be finite and >= 0, got {Rho}.";
    }

    public LossBalancer Create(BalancerContext context) => new MoDoModule(context.Tasks.Count, Gamma, Rho);
}

/// <summary>Runtime of <see cref="MoDo"/>: λ is a buffer.</summary>
public sealed class MoDoModule : GradientBalancer
{
    private readonly Tensor lambda;    // [T]
    private readonly double _gamma;
    private readonly double _rho;

    public MoDoModule(int tasks, double gamma = 0.001, double rho = 0.1) : base(nameof(MoDo))
    {
        _gamma = gamma;
        _rho = rho;
        using Scalar share = 1.0 / tasks;
        lambda = full(tasks, share, ScalarType.Float64);
        RegisterComponents();
    }

    /// <summary>One step of λ: Π_Δ(λ − γ (M λ + ρ λ)) for the Gram matrix M.</summary>
    public static double[] Step(double[,] gram, double[] lambda, double gamma, double rho)
    {
        var m = BalancerMath.Multiply(gram, lambda);
        return BalancerMath.ProjectToSimplex(lambda.Select((l, i) => l - gamma * (m[i] + rho * l)).ToArray());
    }

    protected override GradientCombination Combine(Tensor gradients, double[] losses, StepContext step)
    {
        var weights = Step(Gram(gradients), lambda.cpu().data<double>().ToArray(), _gamma, _rho);
        using (no_grad()) lambda.copy_(tensor(weights, ScalarType.Float64).to(lambda.device));
        return new GradientCombination(Weighted(gradients, weights), weights);
    }
}
