using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>Random gradient weighting (Lin, Ye, Xu, Shi &amp; Zhang, "Reasonable Effectiveness of Random Weighting: A Litmus
/// Test for Multi-Task Learning", TMLR 2022, §3.2): RLW's random weights λ = softmax(z), z ~ N(0, I) drawn afresh every
/// step, applied to the task gradients of the shared parameters instead of the losses; the update is Σ_t λ_t g_t. The
/// weights are drawn by <see cref="RlwModule.WeightsAt"/> from (<paramref name="Seed"/>, step), so runs are reproducible
/// and a resumed run draws what the uninterrupted one drew. Not separable: it needs every task's gradient in one step.</summary>
public sealed record Rgw(int Seed = 0) : ILossBalancer
{
    public string Name => "RGW";

    public LossBalancer Create(BalancerContext context) => new RgwModule(Seed);
}

/// <summary>Runtime of <see cref="Rgw"/>.</summary>
public sealed class RgwModule : GradientBalancer
{
    private readonly int _seed;

    public RgwModule(int seed) : base(nameof(Rgw))
    {
        _seed = seed;
        RegisterComponents();
    }

    protected override GradientCombination Combine(Tensor gradients, double[] losses, StepContext step)
    {
        var weights = RlwModule.WeightsAt(losses.Length, _seed, step.Step);
        return new GradientCombination(Weighted(gradients, weights), weights);
    }
}
