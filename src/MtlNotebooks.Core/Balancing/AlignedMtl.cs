using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>Aligned-MTL (Senushkin, Patakin, Kuznetsov &amp; Konushin, "Independent Component Alignment for Multi-Task
/// Learning", CVPR 2023, §4, Algorithm 1): the update's components along the principal directions of the task gradients
/// are made equal, which removes both conflicts and dominance (the linear system of the gradients gets condition number
/// 1). With the Gram matrix M = G Gᵀ = V Λ Vᵀ (eigenvalues above a rank tolerance kept), B = √λ_min V Λ^{-1/2} Vᵀ and
/// α = B 1; the update is Σ_t α_t g_t, scaled by the smallest singular value (the paper's default scale). No
/// hyper-parameters. The eigen-decomposition is exact on the T×T Gram matrix (Jacobi rotations).</summary>
public sealed record AlignedMtl : ILossBalancer
{
    public string Name => "Aligned-MTL";

    public LossBalancer Create(BalancerContext context) => new AlignedMtlModule();
}

/// <summary>Runtime of <see cref="AlignedMtl"/>.</summary>
public sealed class AlignedMtlModule : GradientBalancer
{
    public AlignedMtlModule() : base(nameof(AlignedMtl)) => RegisterComponents();

    /// <summary>α = B 1 from the Gram matrix (Algorithm 1); uniform 1/T when every gradient is zero.</summary>
    public static double[] Weights(double[,] gram)
    {
        int n = gram.GetLength(0);
        var (values, vectors) = BalancerMath.SymmetricEigen(gram);
        double max = values.Max();
        double tolerance = max * n * 1.1920929e-7;     // float32 machine epsilon, as the reference (torch.finfo())
        var kept = Enumerable.Range(0, n).Where(i => values[i] > tolerance).ToArray();
        if (max <= 0 || kept.Length == 0) return Enumerable.Repeat(1.0 / n, n).ToArray();
        double scale = Math.Sqrt(kept.Min(i => values[i]));
        var alpha = new double[n];
        for (int t = 0; t < n; t++)
            for (int j = 0; j < n; j++)
            {
                double b = 0;
                foreach (int k in kept) b += vectors[j, k] * vectors[t, k] / Math.Sqrt(values[k]);
                alpha[t] += scale * b;    // α_t = Σ_j B_jt (the column sums of B)
            }
        return alpha;
    }

    protected override GradientCombination Combine(Tensor gradients, double[] losses, StepContext step)
    {
        var weights = Weights(Gram(gradients));
        return new GradientCombination(Weighted(gradients, weights), weights);
    }
}
