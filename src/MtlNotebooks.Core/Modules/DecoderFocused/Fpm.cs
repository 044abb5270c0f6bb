using MtlNotebooks.Modules.DecoderFocused;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Spec of <see cref="FpmModule"/>.</summary>
public sealed record Fpm(FpmGrouping Grouping = FpmGrouping.ReferenceCode, int SeReduction = 16) : IFeaturePropagation
{
    public string Name => $"FPM ({Grouping})";

    public IEnumerable<string> Validate(PropagationContext context)
    {
        if (context.Tasks.Count < 2) yield return $"{Name} harmonises at least 2 tasks, got {context.Tasks.Count}.";
        if (SeReduction < 1) yield return $"{Name}: SE reduction must be >= 1, got {SeReduction}.";
    }

    internal FpmOptions Options => new(Grouping, SeReduction);

    public nn.Module<TaskFeatures, TaskFeatures> Create(PropagationContext context) => new FpmModule(context, Options);
}
