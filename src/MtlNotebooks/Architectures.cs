using MtlNotebooks.Modules.Baselines;
using MtlNotebooks.Modules.EncoderFocused;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>Architecture factory. One slot (<see cref="MultiTaskNetBuilder.UseArchitecture"/>) covers the survey's
/// whole taxonomy: baselines, encoder-focused and decoder-focused designs, single-tasking.</summary>
public static class Architectures
{
    /// <summary>Shared encoder, one head per task (survey §2.1; the "MTL baseline" of Table V). The default.</summary>
    public static HardSharing HardSharing(IHead? head = null) => new(head ?? Heads.Conv());

    /// <summary>One full network per task: the single-task baselines of Δm.</summary>
    public static SingleTask SingleTask(IHead? head = null) => new(head ?? Heads.Conv());
}

/// <summary>Spec of <see cref="HardSharingNet"/>.</summary>
public sealed record HardSharing(IHead Head) : IArchitecture
{
    public string Name => "HardSharing";

    public IEnumerable<string> Validate(ArchitectureContext context) =>
        context.AllTasks.SelectMany(t => Head.Validate(new HeadContext(t.Name, t.OutputChannels, context.Backbone.Features)));

    public MultiTaskNet Create(ArchitectureContext context)
    {
        var backbone = context.Backbone.Create();
        var heads = context.AllTasks.ToDictionary(
            t => t.Name,
            t => Head.Create(new HeadContext(t.Name, t.OutputChannels, backbone.Features)));
        return new HardSharingNet(backbone, heads);
    }
}

/// <summary>Spec of <see cref="SingleTaskNetworks"/>.</summary>
public sealed record SingleTask(IHead Head) : IArchitecture
{
    public string Name => "SingleTask";

    public IEnumerable<string> Validate(ArchitectureContext context)
    {
        if (context.AuxiliaryTasks.Count > 0)
            yield return $"UseArchitecture(SingleTask): single-task baselines have no auxiliary tasks, got " +
                         $"{string.Join(", ", context.AuxiliaryTasks.Select(t => $"'{t.Name}'"))}. Remove AddAuxiliaryTask or use a multi-task architecture.";
        foreach (var problem in context.Tasks.SelectMany(t => Head.Validate(new HeadContext(t.Name, t.OutputChannels, context.Backbone.Features))))
            yield return problem;
    }

    public MultiTaskNet Create(ArchitectureContext context) =>
        new SingleTaskNetworks(context.Tasks.ToDictionary(
            t => t.Name,
            t =>
            {
                var backbone = context.Backbone.Create();
                return (backbone, Head.Create(new HeadContext(t.Name, t.OutputChannels, backbone.Features)));
            }));
}
