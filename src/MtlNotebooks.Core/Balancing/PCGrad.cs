using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>PCGrad, "gradient surgery" (Yu, Kumar, Gupta, Levine, Hausman &amp; Finn, NeurIPS 2020, §2, Algorithm 1):
/// for each task i, for the other tasks j in random order, if g_i^PC · g_j &lt; 0 then
/// g_i^PC ← g_i^PC − (g_i^PC · g_j / ‖g_j‖²) g_j; the shared update is Σ_i g_i^PC. Every projected gradient stays in
/// the span of the task gradients, so the surgery runs on the T×T Gram matrix and the update is Σ_t w_t g_t; the
/// reported weights are those w_t. The order is shuffled per step by a generator seeded with (<paramref name="Seed"/>,
/// step), so runs are reproducible. No other hyper-parameters.</summary>
public sealed record PCGrad(int Seed = 0) : ILossBalancer
{
    public string Name => "PCGrad";

    public LossBalancer Create(BalancerContext context) => new PCGradModule(Seed);
}

/// <summary>Runtime of <see cref="PCGrad"/>.</summary>
public sealed class PCGradModule : GradientBalancer
{
    private readonly int _seed;

    public PCGradModule(int seed) : base(nameof(PCGrad))
    {
        _seed = seed;
        RegisterComponents();
    }

    /// <summary>Algorithm 1 in coefficient space: the weights w with Σ_i g_i^PC = Σ_t w_t g_t, projecting task i's gradient
    /// against the others in the order <paramref name="order"/>(i).</summary>
    public static double[] Weights(double[,] gram, Func<int, IReadOnlyList<int>> order)
    {
        int n = gram.GetLength(0);
        var weights = new double[n];
        for (int i = 0; i < n; i++)
        {
            var c = new double[n];                 // g_i^PC = Σ_k c_k g_k
            c[i] = 1;
            foreach (int j in order(i))
            {
                if (j == i || gram[j, j] <= 0) continue;
                double dot = 0;
                for (int k = 0; k < n; k++) dot += c[k] * gram[k, j];
                if (dot < 0) c[j] -= dot / gram[j, j];
            }
            for (int k = 0; k < n; k++) weights[k] += c[k];
        }
        return weights;
    }

    protected override GradientCombination Combine(Tensor gradients, double[] losses, StepContext step)
    {
        var random = new Random(StepSeed.For(_seed, step.Step));
        int n = losses.Length;
        var weights = Weights(Gram(gradients), i =>
        {
            var others = Enumerable.Range(0, n).Where(j => j != i).ToArray();
            random.Shuffle(others);
            return others;
        });
        return new GradientCombination(Weighted(gradients, weights), weights);
    }
}
