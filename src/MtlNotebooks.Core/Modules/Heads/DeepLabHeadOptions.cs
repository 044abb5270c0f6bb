namespace MtlNotebooks.Modules.Heads;

/// <summary>What <see cref="DeepLabHeadModule"/> is built with besides its levels and output channels.</summary>
/// <param name="Channels">Channels of the ASPP branches and the 3x3 conv.</param>
/// <param name="Rates">Rates of the atrous 3x3 branches; null: 12, 24, 36 (the survey code's).</param>
public sealed record DeepLabHeadOptions(int Channels = 256, IReadOnlyList<int>? Rates = null);
