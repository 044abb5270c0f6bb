using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>What a distillation unit may rely on when it is created.</summary>
/// <param name="Sources">Tasks whose features may be read: main and auxiliary (PAD-Net, MTI-Net §3.2).</param>
/// <param name="Targets">Tasks that receive distilled features: the main tasks, in builder order.</param>
/// <param name="Channels">Channels of every task's features at this scale.</param>
/// <param name="Level">The scale (name, channels of the backbone there, stride); MTI-Net distils per scale.</param>
public sealed record DistillationContext(IReadOnlyList<string> Sources, IReadOnlyList<string> Targets, int Channels, FeatureLevel Level);
