using TorchSharp;
using static TorchSharp.torch;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Balancing;

/// <summary>Dynamic weight averaging (Liu, Johns &amp; Davison, "End-to-End Multi-Task Learning with Attention", CVPR
/// 2019; survey §3.1.3, eq. 8): w_k(t) = K exp(r_k(t−1)/T) / Σ_i exp(r_i(t−1)/T) with r_k(t−1) = L_k(t−1)/L_k(t−2),
/// the ratio of task k's mean training loss over the last two epochs, so Σ w = K (the number of tasks). The first two
/// epochs use w = 1 (the paper's initialisation). Hyper-parameter: the temperature T (2, the paper's value). The loss
/// history is kept in buffers, so it survives checkpoints.</summary>
public sealed record Dwa(double Temperature = 2.0) : ILossBalancer
{
    public string Name => $"DWA (T {Temperature:0.###})";
    public bool Separable => true;

    public IEnumerable<string> Validate(BalancerContext context)
    {
        if (!(Temperature > 0) || double.IsInfinity(Temperature))
            yield return $"UseBalancer(Dwa): Temperature must be finite and > 0, got {Temperature}.";
    }

    public LossBalancer Create(BalancerContext context) => new DwaModule(context.Tasks, Temperature);
}

/// <summary>Runtime of <see cref="Dwa"/>: weights from the epoch losses it receives in <see cref="OnEpochEnd"/>.</summary>
public sealed class DwaModule : WeightedLossBalancer
{
    private readonly Tensor history;      // [2, T]: mean losses of the epochs before last (row 0) and last (row 1)
    private readonly Tensor epochs_seen;  // scalar: how many epochs have ended
    private readonly IReadOnlyList<string> _tasks;
    private readonly double _temperature;

    public DwaModule(IReadOnlyList<string> tasks, double temperature = 2.0) : base(nameof(Dwa), tasks)
    {
        _tasks = tasks;
        _temperature = temperature;
        history = ones(2, tasks.Count, ScalarType.Float64);
        epochs_seen = zeros(1, ScalarType.Int64);
        RegisterComponents();
    }

    /// <summary>The weights of the next epoch (survey eq. 8): 1 for the first two epochs.</summary>
    public double[] CurrentWeights()
    {
        if (epochs_seen.cpu().item<long>() < 2) return Enumerable.Repeat(1.0, _tasks.Count).ToArray();
        var h = history.cpu().data<double>().ToArray();
        return WeightsFromRatios(_tasks.Select((_, k) => h[_tasks.Count + k] / h[k]).ToArray(), _temperature);
    }

    /// <summary>Eq. 8 for given loss ratios r_k = L_k(t−1)/L_k(t−2): K softmax(r / T).</summary>
    public static double[] WeightsFromRatios(IReadOnlyList<double> ratios, double temperature)
    {
        double max = ratios.Max();
        var e = ratios.Select(r => Math.Exp((r - max) / temperature)).ToArray();
        double sum = e.Sum();
        return e.Select(v => ratios.Count * v / sum).ToArray();
    }

    public override void OnEpochEnd(EpochSummary epoch)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var latest = tensor(_tasks.Select(t => epoch.MeanLoss.TryGetValue(t, out var v) ? v : 1.0).ToArray(), ScalarType.Float64).to(history.device);
        history[0].copy_(history[1]);
        history[1].copy_(latest);
        using Scalar one = 1;
        epochs_seen.add_(one, One);
    }

    protected override (Tensor Total, Tensor Weights) Combine(TaskLosses losses, StepContext step)
    {
        var weights = ForLosses(tensor(CurrentWeights(), ScalarType.Float32).to(losses.Values.First().device), losses);
        return ((weights * losses.Stack()).sum(), weights);
    }
}
