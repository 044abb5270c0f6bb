using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>Gradient vaccine (Wang, Tsvetkov, Firat &amp; Cao, "Gradient Vaccine: Investigating and Improving Multi-task
/// Optimization in Massively Multilingual Models", ICLR 2021, §3, Algorithm 1). PCGrad only acts when two gradients
/// conflict (cosine &lt; 0); GradVac sets an adaptive target similarity φ̂_ij per task pair, an exponential moving average
/// φ̂_ij ← (1 − β) φ̂_ij + β φ_ij of the observed cosines (from 0), and whenever φ_ij &lt; φ̂_ij it adds
/// w g_j to g_i with w = ‖g_i‖ (φ̂_ij √(1 − φ_ij²) − φ_ij √(1 − φ̂_ij²)) / (‖g_j‖ √(1 − φ̂_ij²)), which raises their cosine
/// exactly to φ̂_ij (eq. 3). The other tasks j are visited in random order (seeded by (<paramref name="Seed"/>, step)); the
/// update is Σ_i g_i′. Every modified gradient stays in the span of the task gradients, so the surgery runs on the Gram
/// matrix; the reported weights are the coefficients of the update in the task gradients. The targets are one per task
/// pair over all shared parameters (LibMTL's "whole model" granularity; the paper also sets them per layer). They live
/// in a buffer, so checkpoints carry them. Hyper-parameter: β (<paramref name="Beta"/>, 0.5, LibMTL's default).</summary>
public sealed record GradVac(double Beta = 0.5, int Seed = 0) : ILossBalancer
{
    public string Name => $"GradVac (β {Beta:0.###})";

    public IEnumerable<string> Validate(BalancerContext context)
    {
        if (!(Beta >= 0 && Beta <= 1))
            yield return $"UseBalancer(GradVac): Beta must be in [0, 1], got {Beta}.";
    }

    public LossBalancer Create(BalancerContext context) => new GradVacModule(context.Tasks.Count, Beta, Seed);
}

/// <summary>Runtime of <see cref="GradVac"/>: the targets φ̂ [T, T] are a buffer.</summary>
public sealed class GradVacModule : GradientBalancer
{
    private readonly Tensor targets;    // [T, T] φ̂_ij, float64
    private readonly double _beta;
    private readonly int _seed;

    public GradVacModule(int tasks, double beta = 0.5, int seed = 0) : base(nameof(GradVac))
    {
        _beta = beta;
        _seed = seed;
        targets = zeros(tasks, tasks, ScalarType.Float64);
        RegisterComponents();
    }

    /// <summary>The target similarities φ̂ [T, T].</summary>
    public Tensor Targets => targets;

    /// <summary>Algorithm 1 in coefficient space: the update's weights in the task gradients, with the targets
    /// <paramref name="target"/> updated in place.</summary>
    public static double[] Weights(double[,] gram, double[,] target, double beta, Func<int, IReadOnlyList<int>> order)
    {
        int n = gram.GetLength(0);
        var weights = new double[n];
        for (int i = 0; i < n; i++)
        {
            var c = new double[n];    // g_i′ = Σ_k c_k g_k
            c[i] = 1;
            foreach (int j in order(i))
            {
                if (j == i) continue;
                double normJ = Math.Sqrt(Math.Max(gram[j, j], 0));
                double dot = 0, normI2 = 0;
                for (int k = 0; k < n; k++)
                {
                    dot += c[k] * gram[k, j];
                    for (int l = 0; l < n; l++) normI2 += c[k] * c[l] * gram[k, l];
                }
                double normI = Math.Sqrt(Math.Max(normI2, 0));
                double phi = dot / (normI * normJ + 1e-8);
                double hat = target[i, j];
                if (phi < hat)
                {
                    double w = normI * (hat * Math.Sqrt(Math.Max(1 - phi * phi, 0)) - phi * Math.Sqrt(Math.Max(1 - hat * hat, 0))) /
                               (normJ * Math.Sqrt(Math.Max(1 - hat * hat, 0)) + 1e-8);
                    c[j] += w;
                }
                target[i, j] = (1 - beta) * hat + beta * phi;
            }
            for (int k = 0; k < n; k++) weights[k] += c[k];
        }
        return weights;
    }

    protected override GradientCombination Combine(Tensor gradients, double[] losses, StepContext step)
    {
        int n = losses.Length;
        var flat = targets.cpu().data<double>().ToArray();
        var target = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) target[i, j] = flat[i * n + j];
        var random = new Random(StepSeed.For(_seed, step.Step));
        var weights = Weights(Gram(gradients), target, _beta, i =>
        {
            var others = Enumerable.Range(0, n).Where(j => j != i).ToArray();
            random.Shuffle(others);
            return others;
        });
        using (no_grad())
            targets.copy_(tensor(target.Cast<double>().ToArray(), ScalarType.Float64).view(n, n).to(targets.device));
        return new GradientCombination(Weighted(gradients, weights), weights);
    }
}
