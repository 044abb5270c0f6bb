using TorchSharp;
using static TorchSharp.torch;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Balancing;

/// <summary>ExcessMTL (He, Zhou, Zhao &amp; Lin, "Robust Multi-Task Learning with Excess Risks", ICML 2024, §4, Algorithm 1):
/// task weights follow each task's excess risk (its distance from its own optimum) rather than its loss, so a task with
/// irreducible noise does not take over. The excess risk is estimated by a second-order (diagonal, AdaGrad) Taylor
/// expansion, w_t = g_tᵀ diag(1 / √(Σ_{steps} g_t² + 10⁻⁷)) g_t, divided by its value at the first step; the loss weights
/// are then updated multiplicatively, λ ← λ ⊙ exp(η w), and renormalised to sum to T (λ = 1 at the first step). The
/// network gets the gradient of Σ_t λ_t L_t. Hyper-parameter: the robust step size η (<paramref name="StepSize"/>, 0.01,
/// LibMTL's default). The squared-gradient accumulators [T, P], the first step's w and λ are buffers.</summary>
public sealed record ExcessMtl(double StepSize = 0.01) : ILossBalancer
{
    public string Name => "ExcessMTL";

    public IEnumerable<string> Validate(BalancerContext context)
    {
        if (!(StepSize >= 0) || double.IsInfinity(StepSize))
            yield return $"UseBalancer(ExcessMtl): StepSize must be finite and >= 0, got {StepSize}.";
    }

    public LossBalancer Create(BalancerContext context) =>
        new ExcessMtlModule(context.Tasks.Count, StepSize, context.SharedParameterCount?.Invoke() ?? 0);
}

/// <summary>Runtime of <see cref="ExcessMtl"/>: accumulators, the first excess risks and the weights are buffers.</summary>
public sealed class ExcessMtlModule : GradientBalancer
{
    private readonly Tensor squared_sum;      // [T, P] Σ g²
    private readonly Tensor initial_risk;     // [T] w at the first step, NaN before it
    private readonly Tensor loss_weights;     // [T] λ
    private readonly double _stepSize;

    public ExcessMtlModule(int tasks, double stepSize = 0.01, long sharedSize = 0) : base(nameof(ExcessMtl))
    {
        _stepSize = stepSize;
        squared_sum = zeros(tasks, sharedSize);
        using Scalar nan = double.NaN;
        initial_risk = full(tasks, nan, ScalarType.Float64);
        loss_weights = ones(tasks, ScalarType.Float64);
        RegisterComponents();
    }

    protected override GradientScope Scope => GradientScope.WeightedLoss;

    protected override GradientCombination Combine(Tensor gradients, double[] losses, StepContext step)
    {
        using var _ = no_grad();
        StatefulGradients.Fit(squared_sum, gradients);
        squared_sum.add_(gradients.square(), One);
        using Scalar eps = 1e-7, stepSize = _stepSize, tasks = losses.Length;
        var risk = (gradients.square() / squared_sum.add(eps, One).sqrt()).sum(1).to(ScalarType.Float64).to(loss_weights.device);
        if (double.IsNaN(initial_risk.cpu()[0].item<double>()))
            initial_risk.copy_(risk);
        else
        {
            loss_weights.mul_((risk / initial_risk).mul(stepSize).exp());
            loss_weights.mul_(tasks / loss_weights.sum());
        }
        return new GradientCombination(null, loss_weights.cpu().data<double>().ToArray());
    }
}
