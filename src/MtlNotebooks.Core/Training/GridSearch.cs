using MtlNotebooks.Balancing;

namespace MtlNotebooks.Training;

/// <summary>Grid searches over fixed loss weights and training hyper-parameters, as the survey tunes its "Fixed (Grid S.)"
/// rows and every model (§4.1.4, Table IV). The methods only enumerate configurations; training them is the caller's
/// (a notebook's or a script's) job. It pairs balancers with optimisers, so it sits with training, which may depend on
/// balancing, and not the other way round.</summary>
public static class GridSearch
{
    /// <summary>Survey Table IV: SGD (momentum 0.9) with lr ∈ {1e-3, 5e-3, 1e-2, 5e-2} and Adam with lr ∈ {1e-4, 5e-4},
    /// each with batch size 6 and 12: 12 settings. Weight decay 1e-4 as in §4.1.4.</summary>
    public static IReadOnlyList<(IOptimizerSpec Optimizer, int BatchSize)> SurveyTable4() =>
    [
        .. from batch in new[] { 6, 12 }
           from lr in new[] { 1e-3, 5e-3, 1e-2, 5e-2 }
           select ((IOptimizerSpec)Optimizers.Sgd(lr, momentum: 0.9, weightDecay: 1e-4), batch),
        .. from batch in new[] { 6, 12 }
           from lr in new[] { 1e-4, 5e-4 }
           select ((IOptimizerSpec)Optimizers.Adam(lr, weightDecay: 1e-4), batch),
    ];

    /// <summary>Every fixed weighting that gives each task in <paramref name="tasks"/> one of <paramref name="values"/>,
    /// except <paramref name="reference"/> (if given), which keeps weight 1 because only the ratios matter.</summary>
    public static IReadOnlyList<FixedWeights> Weights(IReadOnlyList<string> tasks, IReadOnlyList<double> values, string? reference = null)
    {
        if (tasks.Count == 0) throw new ArgumentException("At least one task is needed.", nameof(tasks));
        if (values.Count == 0) throw new ArgumentException("At least one weight value is needed.", nameof(values));
        if (reference is not null && !tasks.Contains(reference))
            throw new ArgumentException($"Reference task '{reference}' is not among the tasks ({string.Join(", ", tasks)}).", nameof(reference));
        IEnumerable<IReadOnlyList<(string Task, double Weight)>> combos = [[]];
        foreach (var task in tasks)
        {
            var choices = task == reference ? [1.0] : values;
            combos = combos.SelectMany(c => choices.Select(v => (IReadOnlyList<(string, double)>)[.. c, (task, v)])).ToList();
        }
        return combos.Select(c => Balancers.FixedWeights([.. c])).ToList();
    }

    /// <summary>The product balancers × optimisers × batch sizes, named "balancer · optimiser · batch b".</summary>
    public static IReadOnlyList<GridConfiguration> Enumerate(IEnumerable<ILossBalancer> balancers,
        IEnumerable<(IOptimizerSpec Optimizer, int BatchSize)> settings) =>
        (from balancer in balancers
         from setting in settings.ToList()
         select new GridConfiguration($"{balancer.Name} · {setting.Optimizer.Name} · batch {setting.BatchSize}",
             balancer, setting.Optimizer, setting.BatchSize)).ToList();
}
