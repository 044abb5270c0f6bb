using MtlNotebooks.Modules.DecoderFocused;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Spec of <see cref="AffinityPropagationModule"/> (PAP-Net).</summary>
public sealed record AffinityPropagation(int Steps = 2, int MaxPixels = 1024) : IDistillationUnit
{
    public string Name => "AffinityPropagation";

    public IEnumerable<string> Validate(DistillationContext context)
    {
        if (Steps < 1) yield return $"{Name}: steps must be >= 1, got {Steps}.";
        if (MaxPixels < 1) yield return $"{Name}: maxPixels must be >= 1, got {MaxPixels}.";
    }

    internal AffinityPropagationOptions Options => new(Steps, MaxPixels);

    public nn.Module<TaskFeatures, TaskFeatures> Create(DistillationContext context) => new AffinityPropagationModule(context, Options);
}
