using System.Globalization;
using Microsoft.Data.Analysis;

namespace MtlNotebooks.Analysis;

/// <summary>How every table of the library writes its cells (console text, HTML report, notebooks): Δm with its sign and
/// two decimals as survey Table V prints it, counts with thousands separators, and other numbers to four significant
/// digits of the column's largest value, with one number of decimals per column so that a column reads down (0.41,
/// −0.23, 1.45 rather than 0.4100, −0.2300, 1.450) and no more decimals than its values have.</summary>
public static class TableCells
{
    /// <summary>The first <paramref name="rows"/> cells of the column as text.</summary>
    public static IReadOnlyList<string> Format(DataFrameColumn column, long rows)
    {
        ArgumentNullException.ThrowIfNull(column);
        var count = (int)Math.Min(rows, column.Length);
        var decimals = column.DataType == typeof(double) || column.DataType == typeof(float) ? Decimals(column) : null;
        return [.. Enumerable.Range(0, count).Select(r => Cell(column, r, decimals))];
    }

    /// <summary>Δm as printed in survey Table V: two decimals with an explicit sign.</summary>
    public static string Signed(double value) =>
        !double.IsFinite(value) ? value.ToString(CultureInfo.InvariantCulture)
        : Math.Round(value, 2) == 0 ? "+0.00"
        : value.ToString("+0.00;-0.00", CultureInfo.InvariantCulture);

    /// <summary>One number on its own: four significant digits, no exponent for everyday magnitudes (43.90, 0.5850, 1,234).</summary>
    public static string Number(double value)
    {
        if (!double.IsFinite(value))
            return value.ToString(CultureInfo.InvariantCulture);
        if (value == 0)
            return "0";
        var magnitude = Math.Floor(Math.Log10(Math.Abs(value)));
        if (magnitude < -4 || magnitude >= 9)
            return value.ToString("0.###E+0", CultureInfo.InvariantCulture);
        return value.ToString("N" + (int)Math.Clamp(3 - magnitude, 0, 7), CultureInfo.InvariantCulture);
    }

    private static string Cell(DataFrameColumn column, long row, int? decimals) => column[row] switch
    {
        null => "",
        string s => s,
        double d when column.Name is DeltaM.DeltaMColumn or DeltaM.DeltaMMeanColumn => Signed(d),
        double d when column.Name == DeltaM.DeltaMStdColumn => double.IsFinite(d) ? d.ToString("0.00", CultureInfo.InvariantCulture) : d.ToString(CultureInfo.InvariantCulture),
        double d => Fixed(d, decimals),
        float f => Fixed(f, decimals),
        long or int or short or ulong or uint => string.Format(CultureInfo.InvariantCulture, "{0:N0}", column[row]),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var value => value.ToString() ?? "",
    };

    private static string Fixed(double value, int? decimals) =>
        !double.IsFinite(value) || decimals is null ? Number(value) : value.ToString("N" + decimals.Value, CultureInfo.InvariantCulture);

    /// <summary>Four significant digits of the column's largest magnitude, fewer when no value has more; null when the
    /// magnitudes need an exponent (each cell then reads on its own).</summary>
    private static int? Decimals(DataFrameColumn column)
    {
        var values = Enumerable.Range(0, (int)column.Length).Select(r => column[r]).Where(v => v is not null)
            .Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture)).Where(double.IsFinite).ToList();
        var largest = values.Count == 0 ? 0 : values.Max(Math.Abs);
        if (largest == 0) return 0;
        var magnitude = Math.Floor(Math.Log10(largest));
        if (magnitude < -4 || magnitude >= 9) return null;
        var most = (int)Math.Clamp(3 - magnitude, 0, 7);
        return values.Max(v => Needed(v, most));
    }

    private static int Needed(double value, int most)
    {
        for (var d = 0; d < most; d++)
            if (Math.Abs(Math.Round(value, d) - value) <= 1e-9 * Math.Max(1, Math.Abs(value))) return d;
        return most;
    }
}
