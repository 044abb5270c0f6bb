using MtlNotebooks.Training;

namespace MtlNotebooks.Analysis;

/// <summary>One trained model to compare: its display name, architecture, loss balancer, training history and size.</summary>
public sealed record RunResult(string Name, string Architecture, string Balancer, TrainingHistory History, long Parameters)
{
    /// <summary>The run's final evaluation (the metrics Δm and the result tables use).</summary>
    public EvaluationRecord Final => History.Final;
}
