namespace MtlNotebooks.Data;

/// <summary>A char array as text (columns of a single-row char array, as MATLAB strings are stored).</summary>
public sealed record MatChar(IReadOnlyList<int> Dimensions, string Text) : MatValue(Dimensions);
