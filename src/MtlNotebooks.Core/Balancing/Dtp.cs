using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>Dynamic task prioritisation (Guo, Haque, Huang, Yeung &amp; Fei-Fei, ECCV 2018; survey §3.1.4, eq. 9):
/// w_t = −(1 − κ̄_t)^γ log κ̄_t, a focal weight that grows as task t's KPI κ̄_t ∈ (0, 1) falls, so difficult tasks get
/// more weight. κ̄_t is an exponential moving average of the KPI, κ̄ ← α κ + (1 − α) κ̄ (as in DTP). Hyper-parameters:
/// the focusing parameter γ (<paramref name="Gamma"/>, default 1; the survey gives no value and DTP tunes it per task)
/// and the averaging weight α (<paramref name="Smoothing"/>, default 0.9).
/// <para>KPIs come from the validation evaluations the trainer runs after each epoch
/// (<see cref="LossBalancer.OnEvaluation"/>), so the weights change once per epoch; until the first evaluation, and for
/// auxiliary tasks (never evaluated), the weight is 1. <paramref name="Kpis"/> maps a task to its KPI; tasks not in it
/// use <see cref="DefaultKpi"/>.</para></summary>
public sealed record Dtp(double Gamma = 1.0, double Smoothing = 0.9, IReadOnlyDictionary<string, KpiFunction>? Kpis = null) : ILossBalancer
{
    public string Name => $"DTP (γ {Gamma:0.###})";
    public bool Separable => true;

    public IEnumerable<string> Validate(BalancerContext context)
    {
        if (!(Gamma >= 0) || double.IsInfinity(Gamma))
            yield return $"UseBalancer(Dtp): Gamma must be finite and >= 0, got {Gamma}.";
        if (!(Smoothing > 0 && Smoothing <= 1))
            yield return $"UseBalancer(Dtp): Smoothing must be in (0, 1], got {Smoothing}.";
        foreach (var task in (Kpis?.Keys ?? []).Where(t => !context.Tasks.Contains(t)))
            yield return $"UseBalancer(Dtp): KPI given for unknown task '{task}'; tasks are {string.Join(", ", context.Tasks)}.";
    }

    public LossBalancer Create(BalancerContext context) => new DtpModule(context.Tasks, this);

    /// <summary>The default KPI from a task's primary metric. Metrics where higher is better are percentages here
    /// (mIoU, odsF, pixel accuracy): κ = value / 100. For error metrics (RMSE, mean angle) DTP thresholds the error;
    /// the evaluation record carries no thresholded accuracy, so the stand-in is κ = 1 / (1 + e / e₀) with e₀ the
    /// task's error at the first evaluation: 0.5 at the start, rising towards 1 as the error falls.</summary>
    public static double DefaultKpi(MetricDirection direction, double value, double firstValue) =>
        direction == MetricDirection.HigherIsBetter ? value / 100.0
        : firstValue > 0 ? 1.0 / (1.0 + value / firstValue) : 0.5;

    /// <summary>Eq. 9: the focal weight −(1 − κ)^γ log κ, with κ clipped to [1e-6, 1 − 1e-6].</summary>
    public static double FocalWeight(double kpi, double gamma)
    {
        double k = Math.Clamp(kpi, 1e-6, 1 - 1e-6);
        return -Math.Pow(1 - k, gamma) * Math.Log(k);
    }
}

/// <summary>Runtime of <see cref="Dtp"/>: the averaged KPIs live in buffers, so they survive checkpoints.</summary>
public sealed class DtpModule : WeightedLossBalancer
{
    private readonly Tensor kpi;        // [T] κ̄, NaN until the task's first evaluation
    private readonly Tensor first_value; // [T] primary metric at the task's first evaluation (e₀ of the default KPI)
    private readonly IReadOnlyList<string> _tasks;
    private readonly Dtp _spec;

    public DtpModule(IReadOnlyList<string> tasks, Dtp spec) : base(nameof(Dtp), tasks)
    {
        _tasks = tasks;
        _spec = spec;
        using Scalar nan = double.NaN;
        kpi = full(tasks.Count, nan, ScalarType.Float64);
        first_value = full(tasks.Count, nan, ScalarType.Float64);
        RegisterComponents();
    }

    /// <summary>The averaged KPIs κ̄ (NaN where none has been seen yet).</summary>
    public double[] Kpis => kpi.cpu().data<double>().ToArray();

    /// <summary>The current weights (survey eq. 9); 1 where no KPI has been seen.</summary>
    public double[] CurrentWeights() => Kpis.Select(k => double.IsNaN(k) ? 1.0 : Dtp.FocalWeight(k, _spec.Gamma)).ToArray();

    public override void OnEvaluation(EvaluationRecord evaluation)
    {
        var current = Kpis;
        var firsts = first_value.cpu().data<double>().ToArray();
        for (int t = 0; t < _tasks.Count; t++)
        {
            var primary = evaluation.Metrics.FirstOrDefault(m => m.Task == _tasks[t] && m.IsPrimary);
            if (primary is null) continue;    // auxiliary tasks are not evaluated
            if (double.IsNaN(firsts[t])) firsts[t] = primary.Value;
            double k = _spec.Kpis is not null && _spec.Kpis.TryGetValue(_tasks[t], out var f)
                ? f(evaluation, _tasks[t])
                : Dtp.DefaultKpi(primary.Direction, primary.Value, firsts[t]);
            if (!double.IsFinite(k)) continue;
            current[t] = double.IsNaN(current[t]) ? k : _spec.Smoothing * k + (1 - _spec.Smoothing) * current[t];
        }
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        kpi.copy_(tensor(current, ScalarType.Float64).to(kpi.device));
        first_value.copy_(tensor(firsts, ScalarType.Float64).to(first_value.device));
    }

    protected override (Tensor Total, Tensor Weights) Combine(TaskLosses losses, StepContext step)
    {
        var weights = ForLosses(tensor(CurrentWeights(), ScalarType.Float32).to(losses.Values.First().device), losses);
        return ((weights * losses.Stack()).sum(), weights);
    }
}
