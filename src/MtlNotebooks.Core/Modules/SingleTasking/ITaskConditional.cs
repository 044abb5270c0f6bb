namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>An architecture that runs one task per forward pass and may train one task per optimiser step (single-tasking,
/// survey §2.4; ASTMT). Then only balancers that weight each task by its own loss apply
/// (<see cref="ILossBalancer.Separable"/>), which <see cref="MultiTaskNetBuilder.Build"/> checks.</summary>
public interface ITaskConditional
{
    /// <summary>True when this configuration trains one task per optimiser step.</summary>
    bool TaskConditional { get; }
}
