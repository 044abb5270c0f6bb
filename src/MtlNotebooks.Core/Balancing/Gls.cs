using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>Geometric loss strategy (Chennupati, Sistu, Yogamani &amp; Rawashdeh, "MultiNet++: Multi-Stream Feature
/// Aggregation and Geometric Loss Strategy for Multi-Task Learning", CVPR workshops 2019, §3.2, eq. 2): the total loss is
/// the geometric mean of the task losses, L = (Π_t L_t)^{1/T}, which is invariant to the scale of each loss (a task whose
/// loss is ten times larger does not dominate). Its gradient is Σ_t (L / (T L_t)) ∇L_t, so the effective weight of task t
/// is L / (T L_t), the reported weight. No hyper-parameters. Not separable: every weight depends on every loss. The
/// product is computed as exp(mean log L_t) so that many small losses do not underflow.</summary>
public sealed record Gls : ILossBalancer
{
    public string Name => "GLS";

    public LossBalancer Create(BalancerContext context) => new GlsModule();
}

/// <summary>Runtime of <see cref="Gls"/>.</summary>
public sealed class GlsModule : WeightedLossBalancer
{
    public GlsModule() : base(nameof(Gls)) => RegisterComponents();

    protected override (Tensor Total, Tensor Weights) Combine(TaskLosses losses, StepContext step)
    {
        var stacked = losses.Stack();
        using Scalar tiny = 1e-20, tasks = losses.Count;
        var total = stacked.clamp_min(tiny).log().mean().exp();
        return (total, (total / stacked.mul(tasks)).detach());
    }
}
