namespace MtlNotebooks.Training;

/// <summary>One configuration of a grid search: a loss balancer with an optimiser and a batch size, named for tables.</summary>
public sealed record GridConfiguration(string Name, ILossBalancer Balancer, IOptimizerSpec Optimizer, int BatchSize);
