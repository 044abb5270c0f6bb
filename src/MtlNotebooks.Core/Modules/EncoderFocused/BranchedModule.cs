using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Modules.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>A branched multi-task network (survey §2.2.4): the backbone's stem and stages, copied once per group of a
/// <see cref="TaskTree"/>; a group's copy of stage s runs on the output of its parent group's copy of stage s − 1, and each task's
/// head reads the stage outputs of the groups it belongs to. Keys: <c>stem.{group}.{part}</c> (everything of the backbone
/// outside its stages), <c>{stage}.{group}.{block}</c> (stage = the level's name), <c>heads.{task}</c>; a group's name joins its
/// tasks with '+'. All tasks in one group everywhere equals hard sharing, one group per task the single-task networks.</summary>
public sealed class BranchedModule : MultiTaskNet
{
    private readonly ModuleDict<ModuleDict<nn.Module>> stem;
    private readonly ModuleDict<nn.Module<FeatureMaps, Tensor>> heads;
    private readonly ModuleDict<ModuleList<nn.Module<Tensor, Tensor>>>[] _stages;
    private readonly Func<Tensor, Tensor>[] _stems;
    private readonly bool _multiScale;

    /// <param name="tree">The groups per stage; its stage count must equal the backbones'.</param>
    /// <param name="backbones">At least as many fresh copies of one staged backbone as the tree's last stage has groups: copy j
    /// gives the stem (and stage s) of the j-th group of stage 1 (and s); their unused stages are disposed.</param>
    /// <param name="heads">One head per task.</param>
    public BranchedModule(TaskTree tree, IReadOnlyList<Backbone> backbones, IReadOnlyDictionary<string, nn.Module<FeatureMaps, Tensor>> heads)
        : base(nameof(BranchedModule), heads.Keys.ToArray())
    {
        Tree = tree;
        var staged = backbones.Select(b => b as IStagedBackboneModule ?? throw new ArgumentException($"Branched: backbone {b.GetName()} is not staged.")).ToArray();
        var problems = tree.Validate(Tasks, staged[0].Stages.Blocks.Count, "Branched").ToArray();
        if (problems.Length > 0) throw new ArgumentException(string.Join(" ", problems), nameof(tree));
        if (backbones.Count < tree.Branches[^1])
            throw new ArgumentException($"Branched: the tree needs {tree.Branches[^1]} backbone copies, got {backbones.Count}.", nameof(backbones));
        var stages = staged.Select(b => b.Stages).ToArray();
        _multiScale = backbones[0].Features.Levels.Count == stages[0].Blocks.Count;
        _stems = stages.Take(tree.Branches[0]).Select(s => s.Stem).ToArray();

        stem = new ModuleDict<ModuleDict<nn.Module>>();
        for (int g = 0; g < tree.Branches[0]; g++)
        {
            var parts = new ModuleDict<nn.Module>();
            foreach (var (name, part) in StemParts(backbones[g], stages[g])) parts.Add(name, part);
            stem.Add(GroupName(tree.Stages[0][g]), parts);
        }
        for (int g = tree.Branches[0]; g < backbones.Count; g++)
            foreach (var (_, part) in StemParts(backbones[g], stages[g])) part.Dispose();
        register_module("stem", stem);
        _stages = new ModuleDict<ModuleList<nn.Module<Tensor, Tensor>>>[tree.Stages.Count];
        for (int s = 0; s < tree.Stages.Count; s++)
        {
            _stages[s] = new ModuleDict<ModuleList<nn.Module<Tensor, Tensor>>>();
            for (int g = 0; g < tree.Branches[s]; g++) _stages[s].Add(GroupName(tree.Stages[s][g]), new ModuleList<nn.Module<Tensor, Tensor>>([.. stages[g].Blocks[s]]));
            for (int g = tree.Branches[s]; g < backbones.Count; g++)
                foreach (var block in stages[g].Blocks[s]) block.Dispose();
            register_module(CrossStitchModule.StageName(stages[0].Levels.Levels[s].Name), _stages[s]);
        }
        this.heads = new ModuleDict<nn.Module<FeatureMaps, Tensor>>();
        foreach (var task in Tasks) this.heads.Add(task, heads[task]);
        register_module("heads", this.heads);
    }

    /// <summary>The layout this network was built with.</summary>
    public TaskTree Tree { get; }

    /// <summary>A group's name in the state dict: its tasks joined with '+'.</summary>
    public static string GroupName(IReadOnlyList<string> group) => string.Join("+", group);

    public override TaskOutputs forward(Tensor image)
    {
        var outputs = new List<Dictionary<string, Tensor>>();   // per stage: group name → output
        var x = Tree.Stages[0].Select((g, i) => (Name: GroupName(g), Value: _stems[i](image))).ToDictionary(p => p.Name, p => p.Value);
        for (int s = 0; s < Tree.Stages.Count; s++)
        {
            var stage = new Dictionary<string, Tensor>();
            foreach (var group in Tree.Stages[s])
            {
                var input = s == 0 ? x[GroupName(group)] : outputs[s - 1][GroupName(Tree.GroupOf(s - 1, group[0]))];
                stage[GroupName(group)] = _stages[s][GroupName(group)].Aggregate(input, (h, block) => block.call(h));
            }
            outputs.Add(stage);
        }
        return TaskOutputs.From(Tasks, t =>
        {
            var maps = Enumerable.Range(0, outputs.Count).Where(s => _multiScale || s == outputs.Count - 1)
                .Select(s => outputs[s][GroupName(Tree.GroupOf(s, t))]).ToArray();
            return Resize.To(heads[t].call(new FeatureMaps(maps)), image.shape[2], image.shape[3]);
        });
    }

    /// <summary>Everything of <paramref name="backbone"/> that is not in a stage (a ResNet's conv1 and bn1, MobileNet-V2's
    /// <c>features.0</c>), named by its path with '_' for '.'.</summary>
    private static IEnumerable<(string Name, nn.Module Part)> StemParts(Backbone backbone, BackboneStages stages)
    {
        var blocks = stages.Blocks.SelectMany(b => b).Cast<nn.Module>().ToHashSet(ReferenceEqualityComparer.Instance);
        IEnumerable<(string, nn.Module)> Walk(nn.Module module, string prefix)
        {
            foreach (var (name, child) in module.named_children())
            {
                if (blocks.Contains(child)) continue;
                string path = prefix.Length == 0 ? name : $"{prefix}_{name}";
                if (child.modules().Any(blocks.Contains)) foreach (var part in Walk(child, path)) yield return part;
                else yield return (path, child);
            }
        }
        return Walk(backbone, "");
    }
}
