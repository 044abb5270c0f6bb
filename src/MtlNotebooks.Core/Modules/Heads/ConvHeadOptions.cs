namespace MtlNotebooks.Modules.Heads;

/// <summary>What <see cref="ConvHeadModule"/> is built with besides its levels and output channels.</summary>
/// <param name="HiddenChannels">Channels of the 3x3 conv-BN-ReLU before the classifier.</param>
public sealed record ConvHeadOptions(int HiddenChannels = 32);
