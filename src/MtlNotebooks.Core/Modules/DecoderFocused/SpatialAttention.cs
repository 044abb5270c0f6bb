using MtlNotebooks.Modules.DecoderFocused;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Spec of <see cref="SpatialAttentionModule"/>: F_k^o = F_k + Σ_{l≠k} σ(W_{k,l} F_l) ⊙ (W'_{k,l} F_l).</summary>
public sealed record SpatialAttention(int Kernel = 3) : IDistillationUnit
{
    public string Name => "SpatialAttention";

    public IEnumerable<string> Validate(DistillationContext context)
    {
        if (context.Sources.Count < 2)
            yield return $"{Name} distils between tasks and needs at least 2 (main + auxiliary), got {context.Sources.Count} ({string.Join(", ", context.Sources)}).";
        if (Kernel < 1 || Kernel % 2 == 0) yield return $"{Name}: kernel must be odd and >= 1, got {Kernel}.";
    }

    internal SpatialAttentionOptions Options => new(Kernel);

    public nn.Module<TaskFeatures, TaskFeatures> Create(DistillationContext context) => new SpatialAttentionModule(context, Options);
}
