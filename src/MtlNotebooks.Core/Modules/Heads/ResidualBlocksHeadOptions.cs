namespace MtlNotebooks.Modules.Heads;

/// <summary>What <see cref="ResidualBlocksHeadModule"/> is built with besides its levels and output channels.</summary>
/// <param name="Channels">Width of the two basic residual blocks.</param>
public sealed record ResidualBlocksHeadOptions(int Channels);
