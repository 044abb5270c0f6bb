namespace MtlNotebooks.Data;

/// <summary>A cell array: elements in column-major order.</summary>
public sealed record MatCell(IReadOnlyList<int> Dimensions, IReadOnlyList<MatValue> Elements) : MatValue(Dimensions);
