namespace MtlNotebooks.Balancing;

/// <summary>A key performance indicator κ ∈ (0, 1) of one task, read from a validation evaluation (DTP's KPI).</summary>
/// <param name="Evaluation">The latest validation evaluation.</param>
/// <param name="Task">The task whose KPI is wanted.</param>
public delegate double KpiFunction(EvaluationRecord Evaluation, string Task);
