using TorchSharp;
using static TorchSharp.torch;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Analysis;

/// <summary>Exact t-SNE (van der Maaten &amp; Hinton, JMLR 2008), for ASTMT Fig. 6: the per-task SE activations of a
/// layer, one row per (image, task), embedded in 2-D. Gradients are exact, O(N²) in time and memory (no Barnes-Hut),
/// computed in float64 on the CPU; a few thousand points at most. Equation numbers are the paper's.</summary>
public static class Tsne
{
    /// <summary>Iterations between two entries of <see cref="TsneResult.Trajectory"/>.</summary>
    public const int TrajectoryStride = 50;

    /// <summary>Tolerance on each point's entropy (nats) and most bisection steps of the bandwidth search, as in
    /// scikit-learn's <c>_binary_search_perplexity</c>.</summary>
    private const double EntropyTolerance = 1e-5;
    private const int SearchSteps = 100;

    // Momentum before and after the exaggeration phase, and the gains' floor (§3.4; Jacobs 1988 for the gains).
    private const double InitialMomentum = 0.5, FinalMomentum = 0.8, MinGain = 0.01;

    /// <summary>The [N, <see cref="TsneOptions.Dimensions"/>] float64 embedding of the rows of
    /// <paramref name="points"/> ([N, D]).</summary>
    public static Tensor Embed(Tensor points, TsneOptions? options = null) => Run(points, options).Embedding;

    /// <summary>The embedding and its cost every <see cref="TrajectoryStride"/> iterations. Deterministic under
    /// <see cref="TsneOptions.Seed"/>. Throws <see cref="ArgumentException"/> when <paramref name="points"/> is not an
    /// [N, D] tensor of finite values with N ≥ 3, or when a setting does not fit N (<see cref="TsneOptions.Validate"/>).</summary>
    public static TsneResult Run(Tensor points, TsneOptions? options = null)
    {
        options ??= new TsneOptions();
        long n = CheckPoints(points);
        options.Validate(n);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var p = JointProbabilities(points, options.Perplexity);
        using Scalar exaggeration = options.EarlyExaggeration, scale = 1e-2, zero = 0, boost = 0.2, damp = 0.8, minGain = MinGain;
        var exaggerated = p.mul(exaggeration);

        // Algorithm 1: y from N(0, 10⁻⁴ I) (standard deviation 10⁻²), then gradient descent with momentum and
        // per-coordinate gains.
        using var generator = new Generator((ulong)(uint)options.Seed);
        var y = randn([n, options.Dimensions], dtype: ScalarType.Float64, generator: generator).mul(scale);
        var update = zeros_like(y);
        var gains = ones_like(y);
        var trajectory = new List<(int, double)>();
        for (int iteration = 1; iteration <= options.Iterations; iteration++)
        {
            using var step = NewDisposeScope();
            bool early = iteration <= options.ExaggerationIterations;
            var grad = Gradient(early ? exaggerated : p, y);
            // Delta-bar-delta: a coordinate whose gradient keeps its sign (opposite to the last step) speeds up, one
            // whose gradient flips slows down.
            var kept = (update * grad).lt(zero);
            gains.copy_(where(kept, gains.add(boost, One), gains.mul(damp)).clamp_min(minGain));
            using Scalar momentum = early ? InitialMomentum : FinalMomentum, rate = options.LearningRate;
            update.mul_(momentum).sub_(gains.mul(rate) * grad);
            y.add_(update, One);
            if (iteration % TrajectoryStride == 0 || iteration == options.Iterations)
                trajectory.Add((iteration, Cost(p, y)));
        }

        return new TsneResult(y.MoveToOuterDisposeScope(), trajectory);
    }

    /// <summary>The symmetric joint probabilities p_ij = (p_j|i + p_i|j) / 2N (§3.1) as an [N, N] float64 tensor with
    /// a zero diagonal, summing to 1; p_j|i from <see cref="ConditionalProbabilities(Tensor, double)"/>.</summary>
    public static Tensor JointProbabilities(Tensor points, double perplexity)
    {
        using var scope = NewDisposeScope();
        var conditional = ConditionalProbabilities(points, perplexity);
        using Scalar twoN = 2.0 * conditional.shape[0];
        return conditional.add(conditional.t(), One).div(twoN).MoveToOuterDisposeScope();
    }

    /// <summary>p_j|i (eq. 1) as an [N, N] float64 tensor, row i over j with a zero diagonal, each point's bandwidth
    /// σ_i found by <see cref="Bandwidths"/> so that the row's perplexity 2^H(P_i) is <paramref name="perplexity"/>.</summary>
    public static Tensor ConditionalProbabilities(Tensor points, double perplexity)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var shifted = ShiftedSquaredDistances(points, perplexity);
        var (probabilities, _) = Kernel(shifted, SearchPrecisions(shifted, perplexity));
        return probabilities.MoveToOuterDisposeScope();
    }

    /// <summary>p_j|i = exp(−‖x_i − x_j‖² / 2σ_i²) / Σ_k≠i exp(−‖x_i − x_k‖² / 2σ_i²) (eq. 1) for given bandwidths
    /// <paramref name="sigmas"/> ([N], positive), as an [N, N] float64 tensor with a zero diagonal.</summary>
    public static Tensor ConditionalProbabilities(Tensor points, Tensor sigmas)
    {
        long n = CheckPoints(points);
        ArgumentNullException.ThrowIfNull(sigmas);
        if (sigmas.dim() != 1 || sigmas.shape[0] != n)
            throw new ArgumentException($"sigmas must have shape [{n}], one bandwidth per point; got [{string.Join(", ", sigmas.shape)}].", nameof(sigmas));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var s = sigmas.detach().to(ScalarType.Float64).cpu();
        using Scalar zero = 0, one = 1.0, two = 2;
        if (!s.isfinite().all().item<bool>() || !s.gt(zero).all().item<bool>())
            throw new ArgumentException("sigmas must be positive and finite.", nameof(sigmas));
        var (probabilities, _) = Kernel(ShiftedSquaredDistances(points, null), (one / s.square().mul(two)).unsqueeze(1));
        return probabilities.MoveToOuterDisposeScope();
    }

    /// <summary>Each point's Gaussian bandwidth σ_i ([N] float64) whose conditional distribution has perplexity
    /// <paramref name="perplexity"/> (eq. 3): bisection on the precision 1/2σ_i², as in the paper's reference code.</summary>
    public static Tensor Bandwidths(Tensor points, double perplexity)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var shifted = ShiftedSquaredDistances(points, perplexity);
        using Scalar half = 0.5;
        return (half / SearchPrecisions(shifted, perplexity).squeeze(1)).sqrt().MoveToOuterDisposeScope();
    }

    /// <summary>The cost C = KL(P‖Q) = Σ_i≠j p_ij log(p_ij / q_ij) (eq. 2) of <paramref name="embedding"/> ([N, d]) under
    /// joint probabilities <paramref name="p"/> ([N, N]), with the Student-t q_ij of eq. 4. The diagonal is left out.</summary>
    public static double KullbackLeibler(Tensor p, Tensor embedding)
    {
        long n = CheckPoints(embedding, nameof(embedding), minimum: 2);
        if (p.dim() != 2 || p.shape[0] != n || p.shape[1] != n)
            throw new ArgumentException($"p must be [{n}, {n}] for an embedding of {n} points; got [{string.Join(", ", p.shape)}].", nameof(p));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return Cost(p.detach().to(ScalarType.Float64).cpu(), embedding.detach().to(ScalarType.Float64).cpu());
    }

    /// <summary>δC/δy_i = 4 Σ_j (p_ij − q_ij)(y_i − y_j)(1 + ‖y_i − y_j‖²)⁻¹ (eq. 5), for all i at once.</summary>
    internal static Tensor Gradient(Tensor p, Tensor y)
    {
        var kernel = StudentKernel(y);
        var q = kernel / kernel.sum();                                   // eq. 4
        var weights = p.sub(q).mul_(kernel);
        using Scalar four = 4;
        return y.mul(weights.sum(1, keepdim: true)).sub_(weights.mm(y)).mul_(four);
    }

    private static double Cost(Tensor p, Tensor y)
    {
        var kernel = StudentKernel(y);
        var q = kernel / kernel.sum();
        var offDiagonal = eye(p.shape[0], dtype: ScalarType.Bool).logical_not();
        using Scalar zero = 0, one = 1.0, none = 0.0;
        var positive = p.gt(zero).logical_and(offDiagonal);
        var outside = positive.logical_not();
        return (p * (p / q.masked_fill(outside, one)).log()).masked_fill(outside, none).sum().item<double>();
    }

    /// <summary>(1 + ‖y_i − y_j‖²)⁻¹ with a zero diagonal: the unnormalised q_ij of eq. 4.</summary>
    private static Tensor StudentKernel(Tensor y)
    {
        using Scalar one = 1;
        return ZeroDiagonal(SquaredDistances(y).add_(one, One).reciprocal_());
    }

    private static Tensor SquaredDistances(Tensor x)
    {
        var norms = x.square().sum(1, keepdim: true);
        using Scalar zero = 0;
        return ZeroDiagonal(norms.add(norms.t(), One).addmm_(x, x.t(), beta: 1, alpha: -2).clamp_min_(zero));
    }

    private static Tensor ZeroDiagonal(Tensor square)
    {
        square.diagonal().zero_();
        return square;
    }

    /// <summary>Squared distances of the (centred) points, each row less its smallest off-diagonal entry, with a zero
    /// diagonal. The shift cancels in eq. 1 and keeps the largest term of every row at exp(0) = 1, so no row underflows
    /// whatever the precision.</summary>
    private static Tensor ShiftedSquaredDistances(Tensor points, double? perplexity)
    {
        long n = CheckPoints(points);
        if (perplexity is { } value) new TsneOptions { Perplexity = value }.Validate(n);
        var x = points.detach().to(ScalarType.Float64).cpu();
        x = x - x.mean([0], keepdim: true);                              // less cancellation in ‖a‖² + ‖b‖² − 2ab
        var distances = SquaredDistances(x);
        var diagonal = eye(n, dtype: ScalarType.Bool);
        using Scalar infinity = double.PositiveInfinity, zero = 0;
        var nearest = distances.masked_fill(diagonal, infinity).amin([1], keepdim: true);
        return (distances - nearest).masked_fill(diagonal, zero);
    }

    /// <summary>Row-normalised exp(−β_i d_ij) over j ≠ i and each row's entropy H(P_i) in nats (eq. 3's H).</summary>
    private static (Tensor Probabilities, Tensor Entropy) Kernel(Tensor shifted, Tensor precisions)
    {
        var weights = ZeroDiagonal((-shifted * precisions).exp());
        var sum = weights.sum(1, keepdim: true);                         // ≥ 1: the nearest neighbour contributes exp(0)
        var probabilities = weights / sum;
        // H = −Σ p log p = log Σ + β Σ_j d_ij p_j|i, with d shifted as in the weights.
        var entropy = sum.log().add(precisions * (shifted * probabilities).sum(1, keepdim: true), One);
        return (probabilities, entropy);
    }

    /// <summary>Precisions β_i = 1/2σ_i² ([N, 1]) by bisection on every row at once, each row stopping once its entropy
    /// is within <see cref="EntropyTolerance"/> of log(perplexity): start at 1, double (halve) until bracketed, then
    /// halve the bracket; at most <see cref="SearchSteps"/> steps.</summary>
    private static Tensor SearchPrecisions(Tensor shifted, double perplexity)
    {
        long n = shifted.shape[0];
        using Scalar target = Math.Log(perplexity), tolerance = EntropyTolerance, zero = 0, two = 2;
        using Scalar lowest = double.NegativeInfinity, highest = double.PositiveInfinity;
        var beta = ones(n, 1, dtype: ScalarType.Float64);
        var low = full(n, 1, lowest, dtype: ScalarType.Float64);
        var high = full(n, 1, highest, dtype: ScalarType.Float64);
        for (int step = 0; step < SearchSteps; step++)
        {
            using var inner = NewDisposeScope();
            var (_, entropy) = Kernel(shifted, beta);
            var difference = entropy.sub(target);
            var open = difference.abs().gt(tolerance);
            if (!open.any().item<bool>()) break;
            // Entropy too high: the Gaussian is too wide, raise β; too low: lower it.
            var raise = open.logical_and(difference.gt(zero));
            var lower = open.logical_and(difference.le(zero));
            var raised = where(high.isinf(), beta.mul(two), beta.add(high, One).div(two));
            var lowered = where(low.isinf(), beta.div(two), beta.add(low, One).div(two));
            low.copy_(where(raise, beta, low));
            high.copy_(where(lower, beta, high));
            beta.copy_(where(raise, raised, where(lower, lowered, beta)));
        }

        return beta;
    }

    /// <summary>N of an [N, D] tensor of finite values with at least <paramref name="minimum"/> rows, or an
    /// <see cref="ArgumentException"/> saying what is wrong.</summary>
    private static long CheckPoints(Tensor points, string name = "points", int minimum = 3)
    {
        ArgumentNullException.ThrowIfNull(points, name);
        if (points.dim() != 2)
            throw new ArgumentException($"{name} must be a 2-D [N, D] tensor, one row per point; got shape [{string.Join(", ", points.shape)}].", name);
        long n = points.shape[0];
        if (n < minimum)
            throw new ArgumentException($"t-SNE needs at least {minimum} points; {name} has N = {n}.", name);
        if (points.shape[1] < 1)
            throw new ArgumentException($"{name} has no columns (D = 0).", name);
        using var detached = points.detach();
        using var finite = detached.isfinite();
        using var all = finite.all();
        if (!all.item<bool>())
        {
            using var notFinite = finite.logical_not();
            using var bad = notFinite.sum();
            throw new ArgumentException($"{name} holds {bad.item<long>()} NaN or infinite values; t-SNE needs finite coordinates.", name);
        }

        return n;
    }
}
