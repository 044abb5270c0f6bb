using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>Propagates task features from one scale to the next (MTI-Net's FPM, §3.3): its module maps per-task
/// features to per-task features of the same shape, which the architecture hands to the next finer scale.
/// <see cref="Contracts.Check(IFeaturePropagation, PropagationContext?, int)"/> checks one of your own against this.</summary>
public interface IFeaturePropagation
{
    string Name { get; }

    /// <summary>False only for <see cref="FeaturePropagations.None"/>: then no module is created and nothing crosses scales.</summary>
    bool Propagates => true;

    IEnumerable<string> Validate(PropagationContext context) => [];
    nn.Module<TaskFeatures, TaskFeatures> Create(PropagationContext context);
}
