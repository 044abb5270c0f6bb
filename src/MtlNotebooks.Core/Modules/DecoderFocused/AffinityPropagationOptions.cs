namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Options of <see cref="AffinityPropagationModule"/>: the diffusion steps and the most positions the affinities
/// are computed on.</summary>
public sealed record AffinityPropagationOptions(int Steps = 2, int MaxPixels = 1024);
