namespace MtlNotebooks;

/// <summary>One metric of one task after an evaluation.</summary>
public sealed record MetricValue(string Task, string Metric, MetricDirection Direction, bool IsPrimary, double Value);
