namespace MtlNotebooks.Analysis;

/// <summary>Settings of <see cref="Tsne"/>. The defaults are those of van der Maaten &amp; Hinton (2008) §3.4 as
/// scikit-learn runs them: perplexity 30, 1000 iterations, early exaggeration 12 for the first 250 with momentum 0.5,
/// momentum 0.8 afterwards, gains (+0.2 / ×0.8, at least 0.01), learning rate 200.</summary>
public sealed record TsneOptions
{
    /// <summary>The effective number of neighbours, 2^H(P_i) (eq. 2 and 3); every point's Gaussian bandwidth is
    /// searched to match it. Must be in [1, N − 1]: a point has only N − 1 others to spread its probability over.</summary>
    public double Perplexity { get; init; } = 30;

    /// <summary>Gradient steps in total, the exaggerated ones included.</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>The step size η. Fixed rather than scikit-learn's "auto" max(N / <see cref="EarlyExaggeration"/> / 4, 50),
    /// which suits tens of thousands of points; the exact method is for a few thousand at most.</summary>
    public double LearningRate { get; init; } = 200;

    /// <summary>Factor on P during the first <see cref="ExaggerationIterations"/> steps, so clusters form early (§3.4).</summary>
    public double EarlyExaggeration { get; init; } = 12;

    /// <summary>Steps with exaggerated P and momentum 0.5; momentum is 0.8 after them. More than
    /// <see cref="Iterations"/> exaggerates every step.</summary>
    public int ExaggerationIterations { get; init; } = 250;

    /// <summary>Seed of the initial layout, drawn from N(0, 10⁻⁴ I) as in the paper's Algorithm 1.</summary>
    public int Seed { get; init; }

    /// <summary>Columns of the embedding.</summary>
    public int Dimensions { get; init; } = 2;

    /// <summary>Throws <see cref="ArgumentException"/>, naming the setting, when one of them cannot be used for
    /// <paramref name="count"/> points.</summary>
    public void Validate(long count)
    {
        if (!double.IsFinite(Perplexity) || Perplexity < 1 || Perplexity > count - 1)
            throw new ArgumentException(
                $"Perplexity is {Perplexity}, but with {count} points it must be between 1 and N − 1 = {count - 1}: " +
                "it is the effective number of neighbours of a point. Lower it or embed more points.", nameof(Perplexity));
        if (Iterations < 1)
            throw new ArgumentException($"Iterations is {Iterations}; it must be at least 1.", nameof(Iterations));
        if (!double.IsFinite(LearningRate) || LearningRate <= 0)
            throw new ArgumentException($"LearningRate is {LearningRate}; it must be positive and finite.", nameof(LearningRate));
        if (!double.IsFinite(EarlyExaggeration) || EarlyExaggeration < 1)
            throw new ArgumentException($"EarlyExaggeration is {EarlyExaggeration}; it must be at least 1 (1 switches it off).", nameof(EarlyExaggeration));
        if (ExaggerationIterations < 0)
            throw new ArgumentException($"ExaggerationIterations is {ExaggerationIterations}; it must be at least 0.", nameof(ExaggerationIterations));
        if (Dimensions < 1)
            throw new ArgumentException($"Dimensions is {Dimensions}; the embedding needs at least 1.", nameof(Dimensions));
    }
}
