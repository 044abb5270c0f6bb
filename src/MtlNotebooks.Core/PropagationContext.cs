using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>What a feature propagation module may rely on: the tasks it propagates and their channels at its scale.</summary>
public sealed record PropagationContext(IReadOnlyList<string> Tasks, int Channels, FeatureLevel Level);
