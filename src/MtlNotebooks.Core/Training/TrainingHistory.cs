namespace MtlNotebooks.Training;

/// <summary>One optimisation step: per-task losses (unweighted), the balancer's weights and the weighted total.</summary>
public sealed record StepRecord(
    int Epoch,
    long Step,
    double TotalLoss,
    IReadOnlyDictionary<string, double> TaskLosses,
    IReadOnlyDictionary<string, double> Weights,
    double LearningRate)
{
    /// <summary>Per-task gradient norms reported by the balancer (<see cref="BalancerStep.GradientNorms"/>); null when
    /// the balancer computes none.</summary>
    public IReadOnlyDictionary<string, double>? GradientNorms { get; init; }

    /// <summary>What the network logged in this step (<see cref="TrainingTerm.Diagnostics"/>, e.g. ASTMT's discriminator
    /// loss and accuracy); null when it logs nothing.</summary>
    public IReadOnlyDictionary<string, double>? Diagnostics { get; init; }
}

/// <summary>What a training run produced: every step and every evaluation, in order.</summary>
public sealed class TrainingHistory
{
    public TrainingHistory(string runName, IEnumerable<StepRecord> steps, IEnumerable<EvaluationRecord> evaluations, TimeSpan elapsed)
    {
        RunName = runName;
        Steps = steps.ToArray();
        Evaluations = evaluations.ToArray();
        Elapsed = elapsed;
    }

    public string RunName { get; }
    public IReadOnlyList<StepRecord> Steps { get; }
    public IReadOnlyList<EvaluationRecord> Evaluations { get; }
    public TimeSpan Elapsed { get; }

    /// <summary>What <see cref="DivergenceGuard.Warn"/> noticed (the first loss and the first metric out of bounds); empty otherwise.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The last evaluation (the final metrics of the run).</summary>
    public EvaluationRecord Final => Evaluations.Count > 0
        ? Evaluations[^1]
        : throw new InvalidOperationException($"Run '{RunName}' has no evaluation yet.");
}
