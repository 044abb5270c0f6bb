namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Options of <see cref="FpmModule"/>: how its softmax groups channels and the reduction of its
/// squeeze-and-excitation refinement (16).</summary>
public sealed record FpmOptions(FpmGrouping Grouping = FpmGrouping.ReferenceCode, int SeReduction = 16);
