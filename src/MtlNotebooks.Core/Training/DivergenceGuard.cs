using System.Globalization;

namespace MtlNotebooks.Training;

/// <summary>When a run counts as diverged although every number is finite: a task's loss grows past
/// <see cref="MaxLossGrowth"/> times its first step's (at least 1, so a near-zero start does not trip it), or a metric
/// leaves any sane range (beyond ±<see cref="MaxMetricMagnitude"/>: no mIoU, RMSE, angle or F-measure of a working
/// network gets there). A too-high learning rate ends this way: losses of 1e13 and a depth RMSE of 4e14 without a
/// single NaN. NaN and infinity always stop the run.</summary>
public sealed record DivergenceGuard
{
    /// <summary>Stops at a loss 1,000 times its first step's or a metric beyond ±1e6.</summary>
    public static DivergenceGuard Stop { get; } = new();

    /// <summary>Keeps training past those bounds, recording a warning per task in <see cref="TrainingHistory.Warnings"/>.</summary>
    public static DivergenceGuard Warn { get; } = new() { WarnOnly = true };

    public double MaxLossGrowth { get; init; } = 1_000;
    public double MaxMetricMagnitude { get; init; } = 1e6;

    /// <summary>True to warn instead of stopping (NaN and infinity stop all the same).</summary>
    public bool WarnOnly { get; init; }

    public IEnumerable<string> Validate()
    {
        if (!(MaxLossGrowth > 1)) yield return $"DivergenceGuard.MaxLossGrowth must be greater than 1, got {MaxLossGrowth}.";
        if (!(MaxMetricMagnitude > 0)) yield return $"DivergenceGuard.MaxMetricMagnitude must be positive, got {MaxMetricMagnitude}.";
    }

    /// <summary>What is wrong with <paramref name="step"/> against the run's <paramref name="first"/> step, or null.</summary>
    internal string? LossProblem(StepRecord first, StepRecord step)
    {
        foreach (var (task, loss) in step.TaskLosses)
        {
            double start = first.TaskLosses.GetValueOrDefault(task, loss), bound = MaxLossGrowth * Math.Max(Math.Abs(start), 1);
            if (Math.Abs(loss) > bound)
                return $"The loss of task '{task}' grew to {Format(loss)} at epoch {step.Epoch}, step {step.Step} (learning rate {Format(step.LearningRate)}), " +
                       $"more than {MaxLossGrowth:N0} times its first step's {Format(start)}: training diverged. Lower the learning rate, check that task's labels, or reduce its loss weight.";
        }
        return null;
    }

    /// <summary>A metric of <paramref name="evaluation"/> that is not finite or beyond the sane range, or null.</summary>
    internal string? MetricProblem(EvaluationRecord evaluation, double learningRate)
    {
        // NaN is left alone: a metric with nothing to measure (no valid pixel) is undefined, not diverged.
        var bad = evaluation.Metrics.FirstOrDefault(m => Math.Abs(m.Value) > MaxMetricMagnitude);
        return bad is null
            ? null
            : $"The {bad.Metric} of task '{bad.Task}' is {Format(bad.Value)} after epoch {evaluation.Epoch} (learning rate {Format(learningRate)}), " +
              $"outside any sane range (±{Format(MaxMetricMagnitude)}): training diverged. Lower the learning rate or check that task's labels.";
    }

    private static string Format(double value) => value.ToString("g3", CultureInfo.InvariantCulture);
}
