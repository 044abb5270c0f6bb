using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>GradNorm (Chen, Badrinarayanan, Lee &amp; Rabinovich, ICML 2018, §3; survey §3.1.2, eq. 7).
/// Learnable weights w_t scale the losses; with G_t = ‖∇_W w_t L_t‖₂ on the last shared layer W, Ḡ = mean_t G_t,
/// L̃_t = L_t / L_t(0) and r_t = L̃_t / mean L̃, the weights minimise L_grad = Σ_t |G_t − Ḡ r_t^α| (an L1 loss), whose
/// target Ḡ r_t^α is held constant. L_grad's gradient reaches the weights only; the network gets
/// the gradient of Σ_t w_t L_t with the weights held constant. After every update the weights are renormalised to sum
/// to T (done at the start of the next step, before they are used). Hyper-parameter: the asymmetry α
/// (<paramref name="Alpha"/>, 1.5, the value the paper uses on NYUv2). The weights are trained by the network's
/// optimiser; L_t(0) (the first step's losses) is kept in a buffer so it survives checkpoints.
/// <para>Without shared parameters (single-task baselines) it back-propagates the plain sum with weights 1.</para></summary>
public sealed record GradNorm(double Alpha = 1.5) : ILossBalancer
{
    public string Name => $"GradNorm (α {Alpha:0.###})";

    public IEnumerable<string> Validate(BalancerContext context)
    {
        if (!(Alpha >= 0) || double.IsInfinity(Alpha))
            yield return $"UseBalancer(GradNorm): Alpha must be finite and >= 0, got {Alpha}.";
    }

    public LossBalancer Create(BalancerContext context) => new GradNormModule(context.Tasks.Count, Alpha);
}

/// <summary>Runtime of <see cref="GradNorm"/>.</summary>
public sealed class GradNormModule : LossBalancer
{
    private readonly Parameter weights;
    private readonly Tensor initial_losses;   // [T] L_t(0), NaN until the first step
    private readonly double _alpha;
    private readonly int _tasks;

    public GradNormModule(int tasks, double alpha = 1.5) : base(nameof(GradNorm))
    {
        _tasks = tasks;
        _alpha = alpha;
        weights = new Parameter(ones(tasks, ScalarType.Float32));
        using Scalar nan = double.NaN;
        initial_losses = full(tasks, nan, ScalarType.Float32);
        RegisterComponents();
    }

    /// <summary>The loss weights w_t (renormalised at the start of each step).</summary>
    public Tensor Weights => weights;

    /// <summary>The target Ḡ r_t^α of L_grad for weighted gradient norms G_t and loss ratios L̃_t = L_t / L_t(0).</summary>
    public static double[] Targets(IReadOnlyList<double> weightedNorms, IReadOnlyList<double> lossRatios, double alpha)
    {
        double meanNorm = weightedNorms.Average(), meanRatio = lossRatios.Average();
        return lossRatios.Select(l => meanNorm * Math.Pow(l / meanRatio, alpha)).ToArray();
    }

    public override BalancerStep Backward(TaskLosses losses, StepContext step)
    {
        var layer = step.LastSharedParameters.Where(p => p.requires_grad).ToArray();
        if (losses.Count < 2 || layer.Length == 0) return PlainSum(losses);

        using var scope = NewDisposeScope();
        using (no_grad())
        {
            // Renormalise so that Σ w = T (GradNorm); a weight pushed below zero by a large step is clipped first.
            using Scalar floor = 1e-4, tasks = _tasks;
            weights.clamp_(min: floor);
            weights.mul_(tasks / weights.sum());
        }
        var stacked = losses.Stack();
        if (double.IsNaN(initial_losses.cpu()[0].item<float>()))
            using (no_grad()) initial_losses.copy_(stacked.detach());

        // ‖∇_W L_t‖ on the last shared layer; G_t = w_t ‖∇_W L_t‖ is linear in w_t, so no double backprop is needed.
        var gradientNorms = GradientBalancer.RowNorms(GradientBalancer.TaskGradients(stacked, layer).detach());
        var weighted = weights * gradientNorms;                       // G_t, differentiable in w only
        var ratios = (stacked.detach() / initial_losses).to(ScalarType.Float64).cpu().data<double>().ToArray();
        var targets = Targets(weighted.detach().to(ScalarType.Float64).cpu().data<double>().ToArray(), ratios, _alpha);
        var gradNormLoss = (weighted - tensor(targets, ScalarType.Float32).to(weighted.device)).abs().sum();
        gradNormLoss.backward();                                      // fills weights.grad only

        var total = (weights.detach() * stacked).sum();
        total.backward();
        return new BalancerStep(PerTask(losses.Tasks, weights), total.detach().cpu().to(ScalarType.Float64).item<double>())
        {
            GradientNorms = PerTask(losses.Tasks, gradientNorms),
        };
    }
}
