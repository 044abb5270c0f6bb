using static TorchSharp.torch;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>A branched network whose tree is decided by trained single-task networks (Vandenhende et al., BMVC 2020; survey
/// §2.2.4): RSA task affinity at every stage output on <paramref name="ProbeImages"/> images (<see cref="RepresentationSimilarity"/>),
/// then the tree of lowest task dissimilarity (<see cref="TreeSearch"/>) whose parameter count lies at most
/// <paramref name="BudgetFraction"/> of the way from hard sharing's (0) to the single-task networks' (1). An experiment that
/// trains the single-task baselines hands them over through <see cref="AfterBaselines"/> (the quick experiment does), which
/// returns the <see cref="Branched"/> network to train. Validated like <see cref="Branched"/>; created only after that.</summary>
public sealed record BranchedSearch(IHead Head, double BudgetFraction = 0.5, int ProbeImages = 32) : IHeadedArchitecture, INeedsTrainedBaselines
{
    public string Name => $"BranchedSearch(budget {BudgetFraction:0.##}, {ProbeImages} probe images)";

    public IArchitecture WithHead(IHead head) => this with { Head = head };

    public IEnumerable<string> Validate(ArchitectureContext context)
    {
        const string caller = "UseArchitecture(BranchedSearch)";
        if (!(BudgetFraction >= 0 && BudgetFraction <= 1)) yield return $"{caller}: the budget fraction must lie in [0, 1], got {BudgetFraction}.";
        if (ProbeImages < 3) yield return $"{caller}: RSA needs at least 3 probe images, got {ProbeImages}.";
        if (context.AllTasks.Count < 2) yield return $"{caller}: a tree needs at least two tasks, got {context.AllTasks.Count}.";
        if (context.AllTasks.Count > TreeSearch.MaxTasks) yield return $"{caller}: the tree search enumerates at most {TreeSearch.MaxTasks} tasks, got {context.AllTasks.Count}.";
        if (StagedBackbone.Unfit(context.Backbone, caller, "a branched network shares or copies the backbone stage by stage") is { } unfit)
        {
            yield return unfit;
            yield break;
        }
        foreach (var problem in context.AllTasks.SelectMany(t => Head.Validate(new HeadContext(t.Name, t.OutputChannels, context.Backbone.Features))))
            yield return problem;
    }

    /// <summary>Refused: the tree is not known before the single-task networks are trained.</summary>
    public MultiTaskNet Create(ArchitectureContext context) =>
        throw new InvalidOperationException($"{Name} chooses its tree from trained single-task networks: pass them to AfterBaselines " +
                                            "(QuickExperiment does), or build Architectures.Branched(tree).");

    /// <summary>The <see cref="Branched"/> network of the tree this search chooses for the trained single-task networks
    /// <paramref name="baselines"/> (<see cref="Architectures.SingleTask"/>), probed on the first <see cref="ProbeImages"/> of <paramref name="images"/>.</summary>
    public IArchitecture AfterBaselines(MultiTaskNet baselines, Tensor images) => new Branched(Head, Design(baselines, images).Tree);

    /// <summary>Every step of the choice: the affinity, the costs, the budget and the tree.</summary>
    public BranchedDesign Design(MultiTaskNet baselines, Tensor images)
    {
        using var probe = images.narrow(0, 0, Math.Min(ProbeImages, images.shape[0]));
        var affinity = RepresentationSimilarity.Measure(baselines, probe);
        var costs = BranchCosts.Parameters(baselines);
        long budget = TreeSearch.Budget(costs, affinity.Tasks, BudgetFraction);
        return new BranchedDesign(affinity, costs, budget, TreeSearch.Choose(affinity, costs, budget));
    }
}
