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
