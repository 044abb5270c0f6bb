namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Options of <see cref="SpatialAttentionModule"/>: the size of its square convolutions (3 in the reference code).</summary>
public sealed record SpatialAttentionOptions(int Kernel = 3);
