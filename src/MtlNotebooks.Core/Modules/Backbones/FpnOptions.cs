namespace MtlNotebooks.Modules.Backbones;

/// <summary>What <see cref="FpnModule"/> is built with besides its bottom-up backbone.</summary>
/// <param name="Channels">Channels of every pyramid level.</param>
public sealed record FpnOptions(int Channels = 256);
