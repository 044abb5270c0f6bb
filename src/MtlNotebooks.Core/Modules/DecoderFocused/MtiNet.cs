using MtlNotebooks.Modules.DecoderFocused;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Spec of <see cref="MtiNetModule"/> (MTI-Net, ECCV 2020). <see cref="FeaturePropagations.None"/> as
/// <see cref="Propagation"/> is the "w/o FPM" ablation of Table 2; <see cref="Scales"/> (null = every backbone level) the
/// ablation of Table 3; auxiliary tasks (Table 2's "(N)", "(N+E)") come from <c>AddAuxiliaryTask</c>.</summary>
public sealed record MtiNet(IDistillationUnit Distillation, IFeaturePropagation Propagation, int? Scales = null) : IArchitecture
{
    /// <summary>The method this configuration is known as (JTRL is built on the MTI-Net skeleton).</summary>
    public string Family { get; init; } = "MtiNet";

    public string Name => Family == "MtiNet"
        ? $"MtiNet({Distillation.Name}, {Propagation.Name}{(Scales is int s ? $", {s} scales" : "")})"
        : $"{Family}({Distillation.Name}{(Scales is int n ? $", {n} scales" : "")})";

    public IEnumerable<string> Validate(ArchitectureContext context)
    {
        var features = context.Backbone.Features;
        int scales = Scales ?? features.Count;
        if (Scales is null && features.Count < 2)
            yield return $"UseArchitecture(MtiNet): needs a backbone with >= 2 feature levels; '{context.Backbone.Name}' exposes {features.Count} ({features}). " +
                         "Use a multi-scale backbone such as Backbones.SmallResNet(), or set scales: 1 for the single-scale ablation.";
        if (scales < 1 || scales > features.Count)
            yield return $"UseArchitecture(MtiNet): scales must be between 1 and the backbone's {features.Count} levels, got {scales}.";
        var all = context.AllTasks.Select(t => t.Name).ToArray();
        var main = context.Tasks.Select(t => t.Name).ToArray();
        foreach (var level in features.Levels.Take(Math.Clamp(scales, 1, features.Count)))
        {
            foreach (var problem in Distillation.Validate(new DistillationContext(all, main, level.Channels, level)))
                yield return $"UseArchitecture(MtiNet) at {level.Name} (stride {level.Stride}): {problem}";
            if (Propagation.Propagates && level != features[0])
                foreach (var problem in Propagation.Validate(new PropagationContext(all, level.Channels, level)))
                    yield return $"UseArchitecture(MtiNet) at {level.Name} (stride {level.Stride}): {problem}";
        }
    }

    public MultiTaskNet Create(ArchitectureContext context)
    {
        var backbone = context.Backbone.Create();
        return new MtiNetModule(backbone, new MtiNetOptions(
            context.Tasks.Select(t => t.Name).ToArray(),
            context.AllTasks.ToDictionary(t => t.Name, t => t.OutputChannels),
            context.AuxiliaryTasks.Select(t => t.Name).ToArray(),
            Scales ?? backbone.Features.Count,
            Distillation,
            Propagation));
    }
}
