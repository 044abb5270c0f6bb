namespace MtlNotebooks.Modules.Heads;

/// <summary>What <see cref="DeepLabV3PlusHeadModule"/> is built with besides its levels and output channels.</summary>
/// <param name="Channels">Channels of the ASPP and the decoder convs.</param>
/// <param name="LowLevelChannels">Channels the finest level is reduced to before the join.</param>
/// <param name="Rates">Rates of the atrous 3x3 branches (6, 12, 18 for output stride 16).</param>
public sealed record DeepLabV3PlusHeadOptions(int Channels, int LowLevelChannels, IReadOnlyList<int> Rates);
