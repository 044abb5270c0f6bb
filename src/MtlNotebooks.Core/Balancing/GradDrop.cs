using TorchSharp;
using static TorchSharp.torch;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Balancing;

/// <summary>Gradient sign dropout (Chen, Ngiam, Huang, Luong, Kretzschmar, Chai &amp; Anguelov, NeurIPS 2020, §3;
/// survey §3.1.5). Per element, the sign purity P = ½ (1 + Σ_t g_t / Σ_t |g_t|) ∈ [0, 1]; with U ~ Uniform(0, 1) drawn per
/// element, task t keeps its gradient where (P &gt; U and g_t &gt; 0) or (P &lt; U and g_t &lt; 0), so one sign survives
/// per element, chosen with probability equal to its share. A leak ℓ keeps a fraction of every gradient:
/// M_t ← ℓ + (1 − ℓ) M_t. The paper applies it to the gradients at a shared activation layer, summed over the batch;
/// the contract gives a balancer the shared parameters, so here it is applied element-wise to the task gradients of
/// all shared parameters. Hyper-parameter: the leak (<paramref name="Leak"/>, 0, the paper's default). U comes from a
/// generator seeded with (<paramref name="Seed"/>, step). The reported weight of a task is the fraction of its
/// gradient's L1 mass that was kept.</summary>
public sealed record GradDrop(double Leak = 0.0, int Seed = 0) : ILossBalancer
{
    public string Name => Leak == 0 ? "GradDrop" : $"GradDrop (leak {Leak:0.###})";

    public IEnumerable<string> Validate(BalancerContext context)
    {
        if (!(Leak >= 0 && Leak <= 1))
            yield return $"UseBalancer(GradDrop): Leak must be in [0, 1], got {Leak}.";
    }

    public LossBalancer Create(BalancerContext context) => new GradDropModule(Leak, Seed);
}

/// <summary>Runtime of <see cref="GradDrop"/>.</summary>
public sealed class GradDropModule : GradientBalancer
{
    private readonly double _leak;
    private readonly int _seed;

    public GradDropModule(double leak, int seed) : base(nameof(GradDrop))
    {
        _leak = leak;
        _seed = seed;
        RegisterComponents();
    }

    /// <summary>Sign purity and masks (§3) on task gradients [T, P] with uniform samples <paramref name="uniform"/> [P]: the kept
    /// gradients M_t ⊙ g_t, [T, P].</summary>
    public static Tensor Masked(Tensor gradients, Tensor uniform, double leak = 0.0)
    {
        using Scalar half = 0.5, one = 1, tiny = 1e-12, zero = 0, leakage = leak, passing = 1 - leak;
        var purity = (gradients.sum(dim: 0) / gradients.abs().sum(dim: 0).add(tiny, One)).add(one, One).mul(half);
        var keep = purity.gt(uniform).unsqueeze(0).logical_and(gradients.gt(zero))
            .logical_or(purity.lt(uniform).unsqueeze(0).logical_and(gradients.lt(zero)))
            .to(gradients.dtype);
        return keep.mul(passing).add(leakage, One) * gradients;
    }

    protected override GradientCombination Combine(Tensor gradients, double[] losses, StepContext step)
    {
        using var generator = new Generator((ulong)(uint)StepSeed.For(_seed, step.Step), gradients.device);
        var uniform = rand([gradients.shape[1]], generator: generator, device: gradients.device);
        var kept = Masked(gradients, uniform, _leak);
        using Scalar tiny = 1e-12;
        var fraction = (kept.abs().sum(1) / gradients.abs().sum(1).add(tiny, One)).to(ScalarType.Float64).cpu().data<double>().ToArray();
        return new GradientCombination(kept.sum(dim: 0), fraction);
    }
}
