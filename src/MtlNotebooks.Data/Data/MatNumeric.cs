namespace MtlNotebooks.Data;

/// <summary>A numeric or logical array (any MATLAB class), as doubles in column-major order.</summary>
public sealed record MatNumeric(IReadOnlyList<int> Dimensions, double[] Data) : MatValue(Dimensions)
{
    /// <summary>Element (row, column) of a 2-D array.</summary>
    public double this[int row, int column] => Data[column * Dimensions[0] + row];
}
