namespace MtlNotebooks.Experiments;

/// <summary>What <see cref="BalancerLeague.Run"/> compares: which balancers, on which architecture, in which experiment.</summary>
public sealed record BalancerLeagueOptions
{
    /// <summary>The reference row: fixed uniform weights. Overheads are relative to it and p-values are against it; the
    /// league adds it (as <see cref="Balancers.FixedWeights"/>) when <see cref="Balancers"/> lacks it.</summary>
    public const string Reference = "uniform";

    /// <summary>The strategies, by the name that labels their row and checkpoints; default every one of <see cref="MtlNotebooks.Balancers.All"/>.</summary>
    public IReadOnlyDictionary<string, ILossBalancer> Balancers { get; init; } = MtlNotebooks.Balancers.All;

    /// <summary>The network every strategy trains; hard sharing by default, the model the balancing papers compare on.</summary>
    public IArchitecture Architecture { get; init; } = Architectures.HardSharing();

    /// <summary>Data, backbone, training budget, seeds and output folder, shared by every strategy. Its
    /// <see cref="QuickExperimentOptions.Architectures"/> and <see cref="QuickExperimentOptions.Balancer"/> are the league's to
    /// set (one arm per strategy); the output folder defaults to <c>runs/balancer-league/vN</c>.</summary>
    public QuickExperimentOptions Experiment { get; init; } = DefaultExperiment;

    /// <summary>Training steps timed per strategy for the step-time and memory columns (after <see cref="WarmupSteps"/>).</summary>
    public int TimedSteps { get; init; } = 20;

    /// <summary>Untimed steps before the timed ones: the first steps allocate and pick kernels.</summary>
    public int WarmupSteps { get; init; } = 3;

    /// <summary>The level of the paired t-tests: a strategy is "within noise of the best" when its p-value against the
    /// best strategy's per-seed Δm is at least this.</summary>
    public double Significance { get; init; } = 0.05;

    /// <summary>Three seeds of a small synthetic experiment (48×48 scenes, 192 training and 64 validation scenes, 6 epochs,
    /// a SmallResNet of width 8): about 12 s per strategy and seed on 2 cores.</summary>
    public static QuickExperimentOptions DefaultExperiment => new()
    {
        ImageSize = 48, TrainSamples = 192, ValidationSamples = 64, Epochs = 6, BatchSize = 8, Width = 8, Seeds = 3, PreviewSamples = 2,
    };

    /// <summary>Everything wrong with the options, in words; empty when they are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Balancers is null || Balancers.Count == 0) problems.Add("BalancerLeagueOptions.Balancers is empty: name at least one strategy.");
        foreach (var name in Balancers?.Keys ?? [])
        {
            if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny([.. Path.GetInvalidFileNameChars(), ' ']) >= 0)
                problems.Add($"BalancerLeagueOptions.Balancers: '{name}' cannot name a row and its checkpoint files; use letters, digits and hyphens.");
            else if (name == QuickExperiment.BaselineName)
                problems.Add($"BalancerLeagueOptions.Balancers: '{name}' is the name of the single-task baselines; give that strategy another name.");
            else if (Balancers![name] is null)
                problems.Add($"BalancerLeagueOptions.Balancers: '{name}' has no balancer.");
        }
        if (Architecture is null) problems.Add("BalancerLeagueOptions.Architecture is null.");
        if (Experiment is null) problems.Add("BalancerLeagueOptions.Experiment is null.");
        else if (Experiment.Balancer is not null)
            problems.Add($"BalancerLeagueOptions.Experiment.Balancer is {Experiment.Balancer.Name}: the league gives each arm its own strategy; leave it null.");
        if (TimedSteps < 1) problems.Add($"BalancerLeagueOptions.TimedSteps must be at least 1, got {TimedSteps}.");
        if (WarmupSteps < 0) problems.Add($"BalancerLeagueOptions.WarmupSteps cannot be negative, got {WarmupSteps}.");
        if (!(Significance is > 0 and < 1)) problems.Add($"BalancerLeagueOptions.Significance must lie between 0 and 1, got {Significance}.");
        return problems;
    }
}
