namespace MtlNotebooks.Training;

/// <summary>What one training pass (<see cref="TrainingStep.Pass"/>) produced: the balancer's step (weights, weighted
/// total, gradient norms), the unweighted loss of each of the pass's tasks and what the network logged (empty when
/// it logs nothing).</summary>
internal sealed record PassResult(
    BalancerStep Balancer,
    IReadOnlyDictionary<string, double> TaskLosses,
    IReadOnlyDictionary<string, double> Diagnostics);
