namespace MtlNotebooks.Training;

/// <summary>What a checkpoint records besides the weights: enough to refuse a mismatched model and to resume exactly.</summary>
public sealed record CheckpointInfo(
    string Architecture,
    string Backbone,
    IReadOnlyList<string> Tasks,
    string Balancer,
    long Parameters,
    int Epochs,
    int BatchSize,
    int Seed,
    int CompletedEpochs,
    long Step,
    IReadOnlyList<StepRecord> Steps,
    IReadOnlyList<EvaluationRecord> Evaluations);
