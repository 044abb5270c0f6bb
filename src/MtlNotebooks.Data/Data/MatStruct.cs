namespace MtlNotebooks.Data;

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
