using TorchSharp;
using static TorchSharp.torch;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Balancing;

/// <summary>STCH, smooth Tchebycheff scalarisation (Lin, Zhang, Yang, Zhang &amp; Zhang, "Smooth Tchebycheff Scalarization
/// for Multi-Objective Optimization", ICML 2024, §3, eq. 8): the Tchebycheff scalarisation max_t λ_t (L_t − z_t*) smoothed
/// by a log-sum-exp with smoothing μ, applied (as the authors' multi-task code does) to log-normalised losses:
/// L = T μ log Σ_t exp(log(L_t / n_t) / μ), where n is a nadir vector, the mean loss over the epoch ending the warm-up.
/// During the first <paramref name="WarmupEpochs"/> epochs and the one after them (which measures n) the loss is Σ_t log L_t.
/// The effective weight of L_t is T softmax(log(L/n)/μ)_t / L_t after the warm-up and 1 / L_t before; those are reported.
/// Hyper-parameters (LibMTL's defaults): μ (<paramref name="Mu"/>, 1) and 4 warm-up epochs. The loss sums, their count and
/// n are buffers, so a resumed run continues exactly.</summary>
public sealed record Stch(double Mu = 1.0, int WarmupEpochs = 4) : ILossBalancer
{
    public string Name => $"STCH (μ {Mu:0.###})";

    public IEnumerable<string> Validate(BalancerContext context)
    {
        if (!(Mu > 0) || double.IsInfinity(Mu)) yield return $"UseBalancer(Stch): Mu must be finite and > 0, got {Mu}.";
        if (WarmupEpochs < 0) yield return $"UseBalancer(Stch): WarmupEpochs must be >= 0, got {WarmupEpochs}.";
    }

    public LossBalancer Create(BalancerContext context) => new StchModule(context.Tasks.Count, Mu, WarmupEpochs);
}

/// <summary>Runtime of <see cref="Stch"/>.</summary>
public sealed class StchModule : WeightedLossBalancer
{
    private readonly Tensor loss_sum;   // [T] Σ L over the measuring epoch
    private readonly Tensor loss_count; // [1]
    private readonly Tensor nadir;      // [T] n, NaN until set
    private readonly double _mu;
    private readonly int _warmup;

    public StchModule(int tasks, double mu = 1.0, int warmupEpochs = 4) : base(nameof(Stch))
    {
        _mu = mu;
        _warmup = warmupEpochs;
        loss_sum = zeros(tasks, ScalarType.Float64);
        loss_count = zeros(1, ScalarType.Int64);
        using Scalar nan = double.NaN;
        nadir = full(tasks, nan, ScalarType.Float64);
        RegisterComponents();
    }

    /// <summary>The nadir vector n (NaN until the warm-up has ended).</summary>
    public Tensor Nadir => nadir;

    protected override (Tensor Total, Tensor Weights) Combine(TaskLosses losses, StepContext step)
    {
        var stacked = losses.Stack();
        int n = losses.Count;
        using Scalar tiny = 1e-20;
        if (step.Epoch <= _warmup)
        {
            if (step.Epoch == _warmup)
                using (no_grad())
                {
                    using Scalar one = 1;
                    loss_sum.add_(stacked.detach().to(ScalarType.Float64).to(loss_sum.device), One);
                    loss_count.add_(one, One);
                }
            using Scalar unit = 1.0;
            return (stacked.add(tiny, One).log().sum(), (unit / stacked).detach());
        }
        if (double.IsNaN(nadir.cpu()[0].item<double>()))
            using (no_grad()) nadir.copy_(loss_count.cpu().item<long>() > 0 ? loss_sum / loss_count.to(ScalarType.Float64) : ones_like(nadir));
        using Scalar mu = _mu, scale = n * _mu, tasks = n;
        var scaled = (stacked / nadir.to(stacked.dtype).to(stacked.device)).add(tiny, One).log();
        var shifted = scaled - scaled.max().detach();
        var total = shifted.div(mu).exp().sum().log().mul(scale);
        var weights = scaled.detach().div(mu).softmax(0).mul(tasks) / stacked.detach();
        return (total, weights);
    }
}
