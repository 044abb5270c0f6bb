using MtlNotebooks.Modules.DecoderFocused;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Spec of <see cref="SequentialRefinementModule"/> (JTRL).</summary>
public sealed record SequentialRefinement : IDistillationUnit
{
    public string Name => "SequentialRefinement";

    public IEnumerable<string> Validate(DistillationContext context)
    {
        if (context.Sources.Count < 2)
            yield return $"{Name} refines tasks from each other and needs at least 2, got {context.Sources.Count} ({string.Join(", ", context.Sources)}).";
    }

    public nn.Module<TaskFeatures, TaskFeatures> Create(DistillationContext context) => new SequentialRefinementModule(context);
}
