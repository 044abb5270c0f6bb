namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Options of <see cref="ChannelAttentionModule"/>: the reduction of its squeeze-and-excitation gates.</summary>
public sealed record ChannelAttentionOptions(int Reduction = 4);
