namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>Spec of <see cref="MtanModule"/> (survey §2.2.3): task attention over a shared staged backbone, one
/// <paramref name="Head"/> per task (the survey code: <see cref="MtlNotebooks.Heads.DeepLab"/>).</summary>
public sealed record Mtan(IHead Head) : IHeadedArchitecture, IPreferredBackbone
{
    public string Name => "Mtan";

    public IArchitecture WithHead(IHead head) => this with { Head = head };

    /// <summary>A small ResNet with two blocks per stage: MTAN needs a block before each stage's last one.</summary>
    public IBackbone DefaultBackbone(int width) => MtlNotebooks.Backbones.SmallResNet(width, 2, 2, 2, 2);

    public IEnumerable<string> Validate(ArchitectureContext context)
    {
        const string caller = "UseArchitecture(Mtan)";
        var spec = context.Backbone;
        if (StagedBackbone.Unfit(spec, caller, "MTAN attends over the last block of every stage") is { } unfit)
        {
            yield return unfit;
            yield break;
        }
        var blocks = StagedBackbone.Blocks(spec);
        if (blocks.Any(b => b < 2))
            yield return $"{caller}: each stage's mask is computed from the features before the stage's last block, so every stage needs " +
                         $"at least two blocks; backbone {spec.Name} has [{string.Join(", ", blocks)}]. Use e.g. Backbones.SmallResNet(width, 2, 2, 2, 2) or a ResNet.";
        var levels = StagedBackbone.Levels(spec)!.Levels;
        foreach (var level in levels.Where(l => l.Channels < 4))
            yield return $"{caller}: the masks squeeze each stage to C/4 channels; level {level.Name} of backbone {spec.Name} has {level.Channels}.";
        foreach (var level in levels.Skip(1).Where(l => l.Channels % 4 != 0))
            yield return $"{caller}: the refinement bottleneck expands 4x into level {level.Name}, whose {level.Channels} channels " +
                         $"of backbone {spec.Name} are not a multiple of 4.";
        foreach (var (a, b) in levels.Zip(levels.Skip(1)).Where(p => p.Second.Stride != p.First.Stride && p.Second.Stride != 2 * p.First.Stride))
            yield return $"{caller}: between stages the attended features are pooled 2x2 at most; backbone {spec.Name} goes from stride {a.Stride} to {b.Stride}.";
        foreach (var problem in context.AllTasks.SelectMany(t => Head.Validate(new HeadContext(t.Name, t.OutputChannels, context.Backbone.Features))))
            yield return problem;
    }

    public MultiTaskNet Create(ArchitectureContext context)
    {
        var backbone = context.Backbone.Create();
        return new MtanModule(backbone, context.AllTasks.ToDictionary(t => t.Name, t => Head.Create(new HeadContext(t.Name, t.OutputChannels, backbone.Features))));
    }
}
