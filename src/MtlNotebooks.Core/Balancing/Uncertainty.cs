using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Balancing;

/// <summary>Uncertainty weighting (Kendall, Gal &amp; Cipolla, CVPR 2018; survey §3.1.1, eq. 6). With s_t = log σ_t²
/// learned per task, the loss is L = ½ Σ_t (exp(−s_t) L_t + s_t): eq. 6's 1/(2σ²) L + log σ for every task, the form the
/// survey uses and LibMTL's <c>UW.py</c> computes (<c>losses / (2·exp(s)) + s / 2</c>). Kendall et al. give
/// classification terms 1/σ² instead of 1/(2σ²); this implementation uses the survey's single form for all tasks.
/// Reported weights are ½ exp(−s_t). Hyper-parameter: the initial log-variance (0, i.e. σ = 1, as in LibMTL). The
/// s_t are trained by the network's optimiser (they are this module's parameters).</summary>
public sealed record Uncertainty(double InitialLogVariance = 0.0) : ILossBalancer
{
    public string Name => "Uncertainty";
    public bool Separable => true;

    public IEnumerable<string> Validate(BalancerContext context)
    {
        if (!double.IsFinite(InitialLogVariance))
            yield return $"UseBalancer(Uncertainty): InitialLogVariance must be finite, got {InitialLogVariance}.";
    }

    public LossBalancer Create(BalancerContext context) => new UncertaintyModule(context.Tasks.Count, InitialLogVariance, context.Tasks);
}

/// <summary>Runtime of <see cref="Uncertainty"/>: the log-variances s_t are a parameter, saved in checkpoints.</summary>
public sealed class UncertaintyModule : WeightedLossBalancer
{
    private readonly Parameter log_var;

    public UncertaintyModule(int tasks, double initialLogVariance = 0.0, IReadOnlyList<string>? taskNames = null)
        : base(nameof(Uncertainty), taskNames)
    {
        using Scalar initial = initialLogVariance;
        log_var = new Parameter(full(tasks, initial, ScalarType.Float32));
        RegisterComponents();
    }

    /// <summary>The learned log-variances s_t = log σ_t².</summary>
    public Tensor LogVariance => log_var;

    protected override (Tensor Total, Tensor Weights) Combine(TaskLosses losses, StepContext step)
    {
        var s = ForLosses(log_var, losses);
        var precision = (-s).exp();
        using Scalar half = 0.5;
        return ((precision * losses.Stack()).add(s, One).sum().mul(half), precision.mul(half));
    }
}
