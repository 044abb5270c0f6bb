using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>Impartial multi-task learning (Liu, Li, Kuang, Xue, Chen, Yang, Liao &amp; Zhang, ICLR 2021).
/// IMTL-L (loss balance): learnable s_t scale the losses as e^{s_t} L_t − s_t, which drives every scaled loss towards 1.
/// IMTL-G (gradient balance, closed form): with u_t = g_t / ‖g_t‖, D = [g₁ − g₂, …, g₁ − g_T]ᵀ and U = [u₁ − u₂, …, u₁ − u_T]ᵀ,
/// α_{2:T} = g₁ Uᵀ (D Uᵀ)⁻¹ and α₁ = 1 − Σ α_{2:T}; the update Σ_t α_t g_t has equal projections on every u_t. The
/// paper computes IMTL-G on the gradients of the shared features; here it uses the gradients of the shared parameters
/// (as LibMTL does). The hybrid applies IMTL-G to the gradients of the scaled losses; the reported weight of task t is
/// α_t e^{s_t} (the total factor on L_t). No hyper-parameters besides the mode.</summary>
public sealed record Imtl(ImtlMode Mode = ImtlMode.Hybrid) : ILossBalancer
{
    public string Name => Mode switch { ImtlMode.Gradient => "IMTL-G", ImtlMode.Loss => "IMTL-L", _ => "IMTL" };

    public LossBalancer Create(BalancerContext context) => Mode == ImtlMode.Loss
        ? new ImtlLossModule(context.Tasks.Count)
        : new ImtlModule(context.Tasks.Count, Mode == ImtlMode.Hybrid);
}

/// <summary>Runtime of <see cref="Imtl"/> in the gradient and hybrid modes.</summary>
public sealed class ImtlModule : GradientBalancer
{
    private readonly Parameter? loss_scale;

    public ImtlModule(int tasks, bool scaleLosses) : base(nameof(Imtl))
    {
        if (scaleLosses) loss_scale = new Parameter(zeros(tasks, ScalarType.Float32));
        RegisterComponents();
    }

    protected override Tensor TransformLosses(Tensor losses) =>
        loss_scale is null ? losses : loss_scale.exp() * losses - loss_scale;

    /// <summary>IMTL-G's closed form from the Gram matrix of the task gradients: the α on the simplex's affine
    /// hull whose combination has equal projections on all unit gradients.</summary>
    public static double[] GradientWeights(double[,] gram)
    {
        int n = gram.GetLength(0);
        var norm = Enumerable.Range(0, n).Select(t => Math.Sqrt(Math.Max(gram[t, t], 1e-30))).ToArray();
        // (g₁ − g_i)·(u₁ − u_j) and g₁·(u₁ − u_j), i, j = 2..T, from g_a·u_b = M_ab / ‖g_b‖.
        double Gu(int a, int b) => gram[a, b] / norm[b];
        var du = new double[n - 1, n - 1];
        var gu = new double[n - 1];
        for (int j = 1; j < n; j++)
        {
            gu[j - 1] = Gu(0, 0) - Gu(0, j);
            for (int i = 1; i < n; i++) du[i - 1, j - 1] = Gu(0, 0) - Gu(0, j) - Gu(i, 0) + Gu(i, j);
        }
        // Row vector α_{2:T} = g₁Uᵀ (DUᵀ)⁻¹  ⇔  (DUᵀ)ᵀ α_{2:T}ᵀ = (g₁Uᵀ)ᵀ.
        var transposed = new double[n - 1, n - 1];
        for (int i = 0; i < n - 1; i++)
            for (int j = 0; j < n - 1; j++) transposed[i, j] = du[j, i];
        double[] rest;
        try
        {
            rest = BalancerMath.Solve(transposed, gu);
        }
        catch (InvalidOperationException)
        {
            return Enumerable.Repeat(1.0 / n, n).ToArray();   // parallel task gradients: any combination is impartial
        }
        return [1 - rest.Sum(), .. rest];
    }

    protected override GradientCombination Combine(Tensor gradients, double[] losses, StepContext step)
    {
        var alpha = GradientWeights(Gram(gradients));
        var scale = loss_scale is null ? Enumerable.Repeat(1.0, alpha.Length).ToArray()
            : loss_scale.detach().exp().to(ScalarType.Float64).cpu().data<double>().ToArray();
        return new GradientCombination(Weighted(gradients, alpha), alpha.Select((a, t) => a * scale[t]).ToArray());
    }
}
