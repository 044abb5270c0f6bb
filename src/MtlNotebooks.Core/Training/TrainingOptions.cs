namespace MtlNotebooks.Training;

/// <summary>How to train: budget in epochs (not seconds, so runs stay deterministic), batch size, optimiser,
/// schedule, checkpointing and progress reporting.</summary>
public sealed record TrainingOptions
{
    public string RunName { get; init; } = "run";
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 16;
    public IOptimizerSpec Optimizer { get; init; } = Optimizers.Adam();

    /// <summary>Exponent of the poly schedule; 0 keeps the learning rate constant.</summary>
    public double PolyPower { get; init; } = 0.9;

    /// <summary>Seed of the data order (a permutation per epoch).</summary>
    public int Seed { get; init; }

    /// <summary>Batch size of evaluation passes.</summary>
    public int EvaluationBatchSize { get; init; } = 32;

    /// <summary>Where to write a checkpoint after every epoch (atomically); null for none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>A checkpoint to resume from; training continues exactly where it stopped.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Receives a report after every step (called on the training thread).</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Checked before every step and every evaluation: cancelling it stops training with an
    /// <see cref="OperationCanceledException"/> (a checkpoint already written stays, so the run can be resumed). A
    /// notebook cell need not pass its token: the runner and the kernel make it <see cref="TrainingCancellation.Current"/>,
    /// which is checked too.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Where the phases of every step take their time (<see cref="StepProfile"/>); null (the default) measures nothing.</summary>
    public StepProfile? Profile { get; init; }

    /// <summary>When finite losses and metrics count as diverged (<see cref="DivergenceGuard"/>): by default the run stops
    /// with a <see cref="TrainingDivergedException"/> naming the task, the step and the learning rate.</summary>
    public DivergenceGuard Divergence { get; init; } = DivergenceGuard.Stop;

    public IEnumerable<string> Validate()
    {
        if (Epochs < 1) yield return $"TrainingOptions.Epochs must be >= 1, got {Epochs}.";
        if (BatchSize < 1) yield return $"TrainingOptions.BatchSize must be >= 1, got {BatchSize}.";
        if (EvaluationBatchSize < 1) yield return $"TrainingOptions.EvaluationBatchSize must be >= 1, got {EvaluationBatchSize}.";
        if (PolyPower < 0) yield return $"TrainingOptions.PolyPower must be >= 0, got {PolyPower}.";
        foreach (var problem in Optimizer.Validate()) yield return "TrainingOptions.Optimizer: " + problem;
        foreach (var problem in Divergence.Validate()) yield return "TrainingOptions.Divergence: " + problem;
    }
}
