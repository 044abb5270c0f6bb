using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>What a feature propagation module may rely on: the tasks it propagates (main and auxiliary, in
/// <see cref="Modules.DecoderFocused.ReferenceTaskOrder"/>) and their channels at its scale.</summary>
public sealed record PropagationContext(IReadOnlyList<string> Tasks, int Channels, FeatureLevel Level);
