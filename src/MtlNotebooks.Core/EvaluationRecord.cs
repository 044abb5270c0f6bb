namespace MtlNotebooks;

/// <summary>All metrics of all tasks on a split after epoch <see cref="Epoch"/>. The trainer writes it and balancers
/// read it (<see cref="Balancing.LossBalancer.OnEvaluation"/>), so it lives beside both rather than in either.</summary>
public sealed record EvaluationRecord(int Epoch, long Step, IReadOnlyList<MetricValue> Metrics)
{
    /// <summary>The value of <paramref name="metric"/> of <paramref name="task"/> (the primary metric when null).</summary>
    public double Get(string task, string? metric = null) =>
        Metrics.FirstOrDefault(m => m.Task == task && (metric is null ? m.IsPrimary : m.Metric == metric))?.Value
        ?? throw new KeyNotFoundException($"No metric '{metric ?? "(primary)"}' for task '{task}'; known: {string.Join(", ", Metrics.Select(m => $"{m.Task}/{m.Metric}"))}.");
}
