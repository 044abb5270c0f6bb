using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Modules.Baselines;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>What the pieces of a branched network cost (parameters, or multiply-adds per image): the stem and every stage of
/// one backbone copy, and all task heads together. A <see cref="TaskTree"/> holds one stem and stage-1 copy per stage-1 group,
/// one stage-s copy per stage-s group and every head once, so its cost is Σ_s groups_s · stage_s + groups_1 · stem + heads.</summary>
/// <param name="Stem">One copy of everything of the backbone outside its stages (the stem).</param>
/// <param name="Stages">One copy of each stage.</param>
/// <param name="Heads">Every task's head together (the same for every tree).</param>
/// <param name="Unit">What is counted ("parameters", "multiply-adds").</param>
public sealed record BranchCosts(long Stem, IReadOnlyList<long> Stages, long Heads, string Unit = "parameters")
{
    /// <summary>The cost of the network <paramref name="tree"/> describes.</summary>
    public long Cost(TaskTree tree)
    {
        if (tree.Stages.Count != Stages.Count)
            throw new ArgumentException($"The tree has {tree.Stages.Count} stages, the costs {Stages.Count}.", nameof(tree));
        var branches = tree.Branches;
        return Heads + Stem * branches[0] + Stages.Select((c, s) => c * branches[s]).Sum();
    }

    /// <summary>Trainable parameters of the pieces, counted on trained (or any) single-task networks
    /// (<see cref="Architectures.SingleTask"/>): a backbone's stages and the rest of it, and every head.</summary>
    public static BranchCosts Parameters(MultiTaskNet singleTask)
    {
        var networks = singleTask as SingleTaskModule
                       ?? throw new ArgumentException($"Branch costs are counted on single-task networks (Architectures.SingleTask); got {singleTask.GetName()}.", nameof(singleTask));
        var backbone = networks.Backbone(networks.Tasks[0]);
        long backbones = networks.Tasks.Sum(t => Count(networks.Backbone(t).parameters()));
        return Parameters(backbone, singleTask.ParameterCount() - backbones);
    }

    /// <summary>Trainable parameters of <paramref name="backbone"/>'s stages and of the rest of it, with <paramref name="heads"/> for all heads.</summary>
    public static BranchCosts Parameters(Backbone backbone, long heads)
    {
        var stages = (backbone as IStagedBackboneModule ?? throw new ArgumentException($"Branch costs need a staged backbone; {backbone.GetName()} is not one.", nameof(backbone))).Stages;
        var perStage = stages.Blocks.Select(blocks => blocks.Sum(b => Count(b.parameters()))).ToArray();
        return new BranchCosts(Count(backbone.parameters()) - perStage.Sum(), perStage, heads);
    }

    private static long Count(IEnumerable<TorchSharp.Modules.Parameter> parameters) => parameters.Where(p => p.requires_grad).Sum(p => p.numel());
}
