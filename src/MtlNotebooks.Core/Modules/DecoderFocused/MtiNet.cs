using MtlNotebooks.Modules.DecoderFocused;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Spec of <see cref="MtiNetModule"/> (MTI-Net, ECCV 2020). <see cref="FeaturePropagations.None"/> as
/// <see cref="Propagation"/> is the "w/o FPM" ablation of Table 2; <see cref="Scales"/> (null = every backbone level) the
/// ablation of Table 3; auxiliary tasks (Table 2's "(N)", "(N+E)") come from <c>AddAuxiliaryTask</c>.</summary>
public sealed record MtiNet(IDistillationUnit Distillation, IFeaturePropagation Propagation, int? Scales = null) : IArchitecture
{
    public string Name => $"{nameof(MtiNet)}({Distillation.Name}, {Propagation.Name}{(Scales is int s ? $", {s} scales" : "")})";

    public IEnumerable<string> Validate(ArchitectureContext context) => Validate(nameof(MtiNet), Distillation, Propagation, Scales, context);

    public MultiTaskNet Create(ArchitectureContext context) => Create(Distillation, Propagation, Scales, context);

    /// <summary>The checks of every architecture built on <see cref="MtiNetModule"/>, worded for <paramref name="architecture"/>.</summary>
    internal static IEnumerable<string> Validate(string architecture, IDistillationUnit distillation, IFeaturePropagation propagation, int? scales,
        ArchitectureContext context)
    {
        var features = context.Backbone.Features;
        int used = scales ?? features.Count;
        if (scales is null && features.Count < 2)
            yield return $"UseArchitecture({architecture}): needs a backbone with >= 2 feature levels; '{context.Backbone.Name}' exposes {features.Count} ({features}). " +
                         "Use a multi-scale backbone such as Backbones.SmallResNet(), or set scales: 1 for the single-scale ablation.";
        if (used < 1 || used > features.Count)
            yield return $"UseArchitecture({architecture}): scales must be between 1 and the backbone's {features.Count} levels, got {used}.";
        var all = context.AllTasks.Select(t => t.Name).ToArray();
        var main = context.Tasks.Select(t => t.Name).ToArray();
        foreach (var level in features.Levels.Take(Math.Clamp(used, 1, features.Count)))
        {
            foreach (var problem in distillation.Validate(new DistillationContext(all, main, level.Channels, level)))
                yield return $"UseArchitecture({architecture}) at {level.Name} (stride {level.Stride}): {problem}";
            if (propagation.Propagates && level != features[0])
                foreach (var problem in propagation.Validate(new PropagationContext(ReferenceTaskOrder.Of(all), level.Channels, level)))
                    yield return $"UseArchitecture({architecture}) at {level.Name} (stride {level.Stride}): {problem}";
        }
    }

    internal static MtiNetModule Create(IDistillationUnit distillation, IFeaturePropagation propagation, int? scales, ArchitectureContext context)
    {
        var backbone = context.Backbone.Create();
        return new MtiNetModule(backbone, new MtiNetOptions(
            context.Tasks.Select(t => t.Name).ToArray(),
            context.AllTasks.ToDictionary(t => t.Name, t => t.OutputChannels),
            context.AuxiliaryTasks.Select(t => t.Name).ToArray(),
            scales ?? backbone.Features.Count,
            distillation,
            propagation));
    }
}
