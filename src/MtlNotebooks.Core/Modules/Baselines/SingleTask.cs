using MtlNotebooks.Modules.Baselines;
using MtlNotebooks.Modules.EncoderFocused;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Baselines;

/// <summary>Spec of <see cref="SingleTaskModule"/>.</summary>
public sealed record SingleTask(IHead Head) : IHeadedArchitecture
{
    public string Name => "SingleTask";

    public IArchitecture WithHead(IHead head) => this with { Head = head };

    public IEnumerable<string> Validate(ArchitectureContext context)
    {
        if (context.AuxiliaryTasks.Count > 0)
            yield return $"UseArchitecture(SingleTask): single-task baselines have no auxiliary tasks, got " +
                         $"{string.Join(", ", context.AuxiliaryTasks.Select(t => $"'{t.Name}'"))}. Remove AddAuxiliaryTask or use a multi-task architecture.";
        foreach (var problem in context.Tasks.SelectMany(t => Head.Validate(new HeadContext(t.Name, t.OutputChannels, context.Backbone.Features))))
            yield return problem;
    }

    public MultiTaskNet Create(ArchitectureContext context) =>
        new SingleTaskModule(context.Tasks.ToDictionary(
            t => t.Name,
            t =>
            {
                var backbone = context.Backbone.Create();
                return (backbone, Head.Create(new HeadContext(t.Name, t.OutputChannels, backbone.Features)));
            }));
}
