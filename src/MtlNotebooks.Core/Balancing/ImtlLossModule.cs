using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>Runtime of <see cref="Imtl"/> in the loss-only mode (IMTL-L): Σ_t (e^{s_t} L_t − s_t).</summary>
public sealed class ImtlLossModule : WeightedLossBalancer
{
    private readonly Parameter loss_scale;

    public ImtlLossModule(int tasks) : base(nameof(Imtl))
    {
        loss_scale = new Parameter(zeros(tasks, ScalarType.Float32));
        RegisterComponents();
    }

    protected override (Tensor Total, Tensor Weights) Combine(TaskLosses losses, StepContext step)
    {
        var scale = loss_scale.exp();
        return ((scale * losses.Stack() - loss_scale).sum(), scale);
    }
}
