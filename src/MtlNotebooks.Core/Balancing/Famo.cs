using TorchSharp;
using static TorchSharp.torch;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Balancing;

/// <summary>FAMO, fast adaptive multitask optimisation (Liu, Liu, Stone &amp; Liu, "FAMO: Fast Adaptive Multitask
/// Optimization", NeurIPS 2023, §3, Algorithm 1): an O(1)-per-step method that decreases every task's loss at an equal
/// rate without computing task gradients. With weights z = softmax(ξ) and D_t = L_t − L_t* + ε (L* = 0 as in the code),
/// the network descends Σ_t (z_t / c) log D_t, c = Σ_t z_t / D_t (the effective weight of L_t is z_t / (c D_t), the reported
/// weight). The logits ξ then move so that the tasks whose log loss fell least gain weight: with
/// δ_t = log D_t(before) − log D_t(after), ξ takes an Adam step (learning rate <paramref name="LearningRate"/> 0.025, weight
/// decay <paramref name="WeightDecay"/> 0.001, the paper's values) along −(∂z/∂ξ)ᵀ δ. The reference evaluates the loss
/// after the update by a second forward pass of the same batch; the trainer runs one forward pass per step, so here
/// "after" is the next step's loss (on the next batch), and the logits move at the start of that step. ξ, Adam's moments,
/// its step count and the previous losses are buffers, so a resumed run continues exactly.</summary>
public sealed record Famo(double LearningRate = 0.025, double WeightDecay = 0.001) : ILossBalancer
{
    public string Name => "FAMO";

    public IEnumerable<string> Validate(BalancerContext context)
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) yield return $"UseBalancer(Famo): LearningRate must be finite and > 0, got {LearningRate}.";
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) yield return $"UseBalancer(Famo): WeightDecay must be finite and >= 0, got {WeightDecay}.";
    }

    public LossBalancer Create(BalancerContext context) => new FamoModule(context.Tasks.Count, LearningRate, WeightDecay);
}

/// <summary>Runtime of <see cref="Famo"/>.</summary>
public sealed class FamoModule : WeightedLossBalancer
{
    private const double Epsilon = 1e-8;
    private readonly Tensor logits;         // [T] ξ
    private readonly Tensor adam_m;         // [T]
    private readonly Tensor adam_v;         // [T]
    private readonly Tensor adam_steps;     // [1]
    private readonly Tensor previous_loss;  // [T] L of the previous step, NaN before the first
    private readonly double _learningRate;
    private readonly double _weightDecay;

    public FamoModule(int tasks, double learningRate = 0.025, double weightDecay = 0.001) : base(nameof(Famo))
    {
        _learningRate = learningRate;
        _weightDecay = weightDecay;
        logits = zeros(tasks, ScalarType.Float64);
        adam_m = zeros(tasks, ScalarType.Float64);
        adam_v = zeros(tasks, ScalarType.Float64);
        adam_steps = zeros(1, ScalarType.Int64);
        using Scalar nan = double.NaN;
        previous_loss = full(tasks, nan, ScalarType.Float64);
        RegisterComponents();
    }

    /// <summary>The logits ξ.</summary>
    public Tensor Logits => logits;

    /// <summary>The gradient (∂z/∂ξ)ᵀ δ of z = softmax(ξ): z ⊙ (δ − zᵀδ).</summary>
    public static double[] LogitGradient(double[] xi, double[] delta)
    {
        var z = BalancerMath.Softmax(xi);
        double mean = BalancerMath.Dot(z, delta);
        return z.Select((v, i) => v * (delta[i] - mean)).ToArray();
    }

    /// <summary>Moves ξ by one Adam step for the loss change from <paramref name="before"/> to <paramref name="after"/>.</summary>
    public void Update(double[] before, double[] after)
    {
        using var _ = no_grad();
        var xi = logits.cpu().data<double>().ToArray();
        var delta = before.Select((b, i) => Math.Log(b + Epsilon) - Math.Log(after[i] + Epsilon)).ToArray();
        var g = LogitGradient(xi, delta).Select((v, i) => v + _weightDecay * xi[i]).ToArray();
        var m = adam_m.cpu().data<double>().ToArray();
        var v2 = adam_v.cpu().data<double>().ToArray();
        long k = adam_steps.cpu().item<long>() + 1;
        const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        for (int i = 0; i < xi.Length; i++)
        {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v2[i] = beta2 * v2[i] + (1 - beta2) * g[i] * g[i];
            double mHat = m[i] / (1 - Math.Pow(beta1, k)), vHat = v2[i] / (1 - Math.Pow(beta2, k));
            xi[i] -= _learningRate * mHat / (Math.Sqrt(vHat) + eps);
        }
        logits.copy_(tensor(xi, ScalarType.Float64).to(logits.device));
        adam_m.copy_(tensor(m, ScalarType.Float64).to(adam_m.device));
        adam_v.copy_(tensor(v2, ScalarType.Float64).to(adam_v.device));
        using Scalar steps = k;
        adam_steps.fill_(steps);
    }

    protected override (Tensor Total, Tensor Weights) Combine(TaskLosses losses, StepContext step)
    {
        var stacked = losses.Stack();
        var current = stacked.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
        var before = previous_loss.cpu().data<double>().ToArray();
        if (!double.IsNaN(before[0])) Update(before, current);
        using (no_grad()) previous_loss.copy_(tensor(current, ScalarType.Float64).to(previous_loss.device));
        var z = logits.softmax(0).to(stacked.dtype).to(stacked.device);
        using Scalar eps = Epsilon;
        var d = stacked.add(eps, One);
        var c = (z / d).sum().detach();
        return ((d.log() * z / c).sum(), (z / (c * d)).detach());
    }
}
