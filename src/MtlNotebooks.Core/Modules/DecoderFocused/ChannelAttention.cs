using MtlNotebooks.Modules.DecoderFocused;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Spec of <see cref="ChannelAttentionModule"/>: F_k^o = F_k + Σ_{l≠k} SE_{k,l}(W_{k,l} F_l).</summary>
public sealed record ChannelAttention(int Reduction = 4) : IDistillationUnit
{
    public string Name => "ChannelAttention";

    public IEnumerable<string> Validate(DistillationContext context)
    {
        if (context.Sources.Count < 2)
            yield return $"{Name} distils between tasks and needs at least 2 (main + auxiliary), got {context.Sources.Count} ({string.Join(", ", context.Sources)}).";
        if (Reduction < 1) yield return $"{Name}: reduction must be >= 1, got {Reduction}.";
    }

    internal ChannelAttentionOptions Options => new(Reduction);

    public nn.Module<TaskFeatures, TaskFeatures> Create(DistillationContext context) => new ChannelAttentionModule(context, Options);
}
