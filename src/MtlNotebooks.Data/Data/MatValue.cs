namespace MtlNotebooks.Data;

/// <summary>A value read from a MATLAB file: numeric array, char array, cell array or struct array. Arrays keep
/// MATLAB's column-major order and their dimensions.</summary>
public abstract record MatValue(IReadOnlyList<int> Dimensions)
{
    public int Count => Dimensions.Aggregate(1, (a, b) => a * b);
}

/// <summary>A numeric or logical array (any MATLAB class), as doubles in column-major order.</summary>
public sealed record MatNumeric(IReadOnlyList<int> Dimensions, double[] Data) : MatValue(Dimensions)
{
    /// <summary>Element (row, column) of a 2-D array.</summary>
    public double this[int row, int column] => Data[column * Dimensions[0] + row];
}

/// <summary>A char array as text (columns of a single-row char array, as MATLAB strings are stored).</summary>
public sealed record MatChar(IReadOnlyList<int> Dimensions, string Text) : MatValue(Dimensions);

/// <summary>A cell array: elements in column-major order.</summary>
public sealed record MatCell(IReadOnlyList<int> Dimensions, IReadOnlyList<MatValue> Elements) : MatValue(Dimensions);

/// <summary>A struct array: field names, and per element (column-major) the values of the fields in that order.</summary>
public sealed record MatStruct(IReadOnlyList<int> Dimensions, IReadOnlyList<string> Fields, IReadOnlyList<IReadOnlyList<MatValue>> Elements) : MatValue(Dimensions)
{
    /// <summary>Field <paramref name="field"/> of element <paramref name="element"/>.</summary>
    public MatValue this[int element, string field]
    {
        get
        {
            int index = Fields.ToList().IndexOf(field);
            if (index < 0) throw new KeyNotFoundException($"struct has no field '{field}'; fields: {string.Join(", ", Fields)}");
            return Elements[element][index];
        }
    }
}
