namespace MtlNotebooks.Training;

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
