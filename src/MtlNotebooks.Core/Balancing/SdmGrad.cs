using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>SDMGrad, stochastic direction-oriented multi-objective gradient descent (Xiao, Ban &amp; Ji, "Direction-oriented
/// Multi-objective Learning: Simple and Provable Stochastic Algorithms", NeurIPS 2023, §3–4, Algorithm 1): MGDA's
/// min-norm problem regularised towards a preferred direction g₀ (the mean gradient),
/// min_{w ∈ Δ} ½‖Gᵀw‖² + λ ⟨Gᵀw, g₀⟩, solved by <paramref name="Iterations"/> projected SGD steps on w (learning rate
/// <paramref name="LearningRate"/> 5, momentum 0.5, warm-started from the previous step's w, as the authors' code), with the
/// Gram matrix divided by the squared mean gradient norm; the update is (Gᵀw + λ g₀) / (1 + λ). The paper uses three
/// independent samples (two for the w problem, one for the update); the trainer draws one batch per step, so all three
/// are that batch's gradients. Hyper-parameters (LibMTL's defaults): λ (<paramref name="Lambda"/>, 0.3), 20 iterations.
/// w is a buffer; the reported weights are (w_t + λ/T) / (1 + λ), the update's coefficients.</summary>
public sealed record SdmGrad(double Lambda = 0.3, int Iterations = 20, double LearningRate = 5.0, double Momentum = 0.5) : ILossBalancer
{
    public string Name => $"SDMGrad (λ {Lambda:0.###})";

    public IEnumerable<string> Validate(BalancerContext context)
    {
        if (!(Lambda >= 0) || double.IsInfinity(Lambda)) yield return $"UseBalancer(SdmGrad): Lambda must be finite and >= 0, got {Lambda}.";
        if (Iterations < 1) yield return $"UseBalancer(SdmGrad): Iterations must be at least 1, got {Iterations}.";
        if (!(LearningRate > 0) || !(Momentum >= 0 && Momentum < 1))
            yield return $"UseBalancer(SdmGrad): LearningRate must be > 0 and Momentum in [0, 1), got {LearningRate} and {Momentum}.";
    }

    public LossBalancer Create(BalancerContext context) => new SdmGradModule(context.Tasks.Count, this);
}

/// <summary>Runtime of <see cref="SdmGrad"/>: w is a buffer.</summary>
public sealed class SdmGradModule : GradientBalancer
{
    private readonly Tensor w;    // [T] on the simplex
    private readonly SdmGrad _spec;

    public SdmGradModule(int tasks, SdmGrad spec) : base(nameof(SdmGrad))
    {
        _spec = spec;
        using Scalar share = 1.0 / tasks;
        w = full(tasks, share, ScalarType.Float64);
        RegisterComponents();
    }

    /// <summary>The inner problem's w after the projected SGD iterations from <paramref name="start"/>, for a Gram matrix.</summary>
    public static double[] SolveWeights(double[,] gram, double[] start, SdmGrad spec)
    {
        int n = start.Length;
        double scale = Enumerable.Range(0, n).Average(i => Math.Sqrt(Math.Max(gram[i, i], 0)));
        var m = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) m[i, j] = gram[i, j] / (scale * scale + 1e-8);
        var mg = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, n).Average(j => m[i, j])).ToArray();
        var x = (double[])start.Clone();
        var velocity = new double[n];
        for (int it = 0; it < spec.Iterations; it++)
        {
            var grad = BalancerMath.Multiply(m, x).Select((v, i) => v + spec.Lambda * mg[i]).ToArray();
            for (int i = 0; i < n; i++)
            {
                velocity[i] = it == 0 ? grad[i] : spec.Momentum * velocity[i] + grad[i];    // torch SGD momentum
                x[i] -= spec.LearningRate * velocity[i];
            }
            x = BalancerMath.ProjectToSimplex(x);
        }
        return x;
    }

    protected override GradientCombination Combine(Tensor gradients, double[] losses, StepContext step)
    {
        int n = losses.Length;
        var solved = SolveWeights(Gram(gradients), w.cpu().data<double>().ToArray(), _spec);
        using (no_grad()) w.copy_(tensor(solved, ScalarType.Float64).to(w.device));
        var weights = solved.Select(x => (x + _spec.Lambda / n) / (1 + _spec.Lambda)).ToArray();
        return new GradientCombination(Weighted(gradients, weights), weights);
    }
}
