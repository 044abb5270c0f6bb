namespace MtlNotebooks;

/// <summary>An architecture whose task outputs come from one <see cref="IHead"/> spec (hard sharing, the single-task
/// baselines), so an experiment can give every such architecture the head it compares; decoder-focused architectures
/// build their own output layers and do not implement it.</summary>
public interface IHeadedArchitecture : IArchitecture
{
    /// <summary>This architecture with <paramref name="head"/> for every task.</summary>
    IArchitecture WithHead(IHead head);
}
