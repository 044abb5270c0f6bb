using MtlNotebooks.Modules.DecoderFocused;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>The absence of feature propagation ("w/o FPM"): architectures test <see cref="IFeaturePropagation.Propagates"/>
/// and build no module for it.</summary>
public sealed record NoPropagation : IFeaturePropagation
{
    public string Name => "w/o FPM";
    public bool Propagates => false;
    public nn.Module<TaskFeatures, TaskFeatures> Create(PropagationContext context) =>
        throw new InvalidOperationException($"{nameof(NoPropagation)} stands for the 'w/o FPM' ablation and has no module; check Propagates first.");
}
