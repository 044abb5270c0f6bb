namespace MtlNotebooks.Data;

/// <summary>A value read from a MATLAB file: numeric array, char array, cell array or struct array. Arrays keep
/// MATLAB's column-major order and their dimensions.</summary>
public abstract record MatValue(IReadOnlyList<int> Dimensions)
{
    public int Count => Dimensions.Aggregate(1, (a, b) => a * b);
}
