namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>Spec of <see cref="BranchedModule"/> (survey §2.2.4; Vandenhende et al., BMVC 2020): a staged backbone whose stages
/// are shared by the groups of <paramref name="Tree"/>, one <paramref name="Head"/> per task on its branch.
/// <see cref="BranchedSearch"/> chooses the tree from trained single-task networks under a budget.</summary>
public sealed record Branched(IHead Head, TaskTree Tree) : IHeadedArchitecture
{
    public string Name => $"Branched({Tree})";

    public IArchitecture WithHead(IHead head) => this with { Head = head };

    public IEnumerable<string> Validate(ArchitectureContext context)
    {
        const string caller = "UseArchitecture(Branched)";
        if (StagedBackbone.Unfit(context.Backbone, caller, "a branched network shares or copies the backbone stage by stage") is { } unfit)
        {
            yield return unfit;
            yield break;
        }
        int stages = StagedBackbone.Levels(context.Backbone)!.Count;
        foreach (var problem in Tree.Validate(context.AllTasks.Select(t => t.Name).ToArray(), stages, caller)) yield return problem;
        foreach (var problem in context.AllTasks.SelectMany(t => Head.Validate(new HeadContext(t.Name, t.OutputChannels, context.Backbone.Features))))
            yield return problem;
    }

    public MultiTaskNet Create(ArchitectureContext context)
    {
        int copies = Tree.Branches[^1];
        var backbones = Enumerable.Range(0, copies).Select(_ => context.Backbone.Create()).ToArray();
        var heads = context.AllTasks.ToDictionary(t => t.Name, t => Head.Create(new HeadContext(t.Name, t.OutputChannels, backbones[0].Features)));
        return new BranchedModule(Tree, backbones, heads);
    }
}
