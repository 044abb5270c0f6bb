namespace MtlNotebooks.Tasks.Metrics;

/// <summary>
/// The optimal-dataset-scale F-measure (odsF, Martin et al.; the BSDS benchmark, and seism in the references) in
/// percent, computed in process. Edge probabilities σ(x) are thresholded at <paramref name="Thresholds"/> evenly spaced
/// values k/(N+1); at each threshold, counts are summed over the whole split: a predicted edge pixel is correct when a
/// label edge pixel lies within the tolerance, a label edge pixel is recalled when a predicted edge pixel lies within it;
/// P = matched predictions / predictions, R = recalled labels / labels, F = 2PR/(P+R); odsF = the best F over thresholds.
/// The tolerance is <paramref name="MaxDistance"/> × the image diagonal (0.0075 as in BSDS/seism for PASCAL).
/// <para>Deviations from the MATLAB benchmark, by design: (1) matching is by distance only, not the one-to-one
/// bipartite assignment (correspondPixels), so one predicted pixel may account for several label pixels and vice versa
/// — an upper bound on the benchmark's counts that coincides with it for thin, well-separated edges; (2) predictions are
/// not thinned by non-maximum suppression first (seism thins the thresholded maps); so numbers run slightly above
/// seism's for thick predictions. Labels: 1 edge, 0 not, 255 ignored (neither a prediction nor a label there).</para>
/// </summary>
public sealed record OdsF(double MaxDistance = 0.0075, int Thresholds = 99, int IgnoreValue = 255) : ITaskMetric
{
    public string Name => "odsF";
    public MetricDirection Direction => MetricDirection.HigherIsBetter;
    public IMetricAccumulator CreateAccumulator() => new BoundaryAccumulator(MaxDistance, Thresholds, IgnoreValue);
}
