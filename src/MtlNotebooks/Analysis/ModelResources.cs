namespace MtlNotebooks.Analysis;

/// <summary>One model of <see cref="PerformanceVsResources"/>: its Δm over the seeds and its measured resources.</summary>
public sealed record ModelResources(string Model, double DeltaMMean, double DeltaMStd, ResourceCount Count);
