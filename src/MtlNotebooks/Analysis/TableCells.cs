using System.Globalization;
using Microsoft.Data.Analysis;

namespace MtlNotebooks.Analysis;

/// <summary>How every table of the library writes its cells (console text, HTML report, notebooks): Δm with its sign and
/// two decimals as survey Table V prints it, counts with thousands separators, and other numbers to four significant
/// digits but no more decimals than the value has (0.41, −0.23, 1.45, 0.6 rather than 0.4100, −0.2300, 1.450, 0.6000),
/// thousands separated.</summary>
public static class TableCells
{
    /// <summary>The first <paramref name="rows"/> cells of the column as text.</summary>
    public static IReadOnlyList<string> Format(DataFrameColumn column, long rows)
    {
        ArgumentNullException.ThrowIfNull(column);
        var count = (int)Math.Min(rows, column.Length);
        return [.. Enumerable.Range(0, count).Select(r => Cell(column, r))];
    }

    /// <summary>Δm as printed in survey Table V: two decimals with an explicit sign.</summary>
    public static string Signed(double value) =>
        !double.IsFinite(value) ? value.ToString(CultureInfo.InvariantCulture)
        : Math.Round(value, 2) == 0 ? "+0.00"
        : value.ToString("+0.00;-0.00", CultureInfo.InvariantCulture);

    /// <summary>Four significant digits, no more decimals than the value has, no exponent for everyday magnitudes
    /// (43.9, 0.585, 0.001234, 1,234).</summary>
    public static string Number(double value) => Number(value, 1e-9);

    /// <summary><see cref="Number(double)"/> for a value known to a relative <paramref name="precision"/> (a float's 1e-6,
    /// so that 0.1f reads 0.1, not 0.1000).</summary>
    public static string Number(double value, double precision)
    {
        if (!double.IsFinite(value))
            return value.ToString(CultureInfo.InvariantCulture);
        if (value == 0)
            return "0";
        var magnitude = Math.Floor(Math.Log10(Math.Abs(value)));
        if (magnitude < -4 || magnitude >= 9)
            return value.ToString("0.###E+0", CultureInfo.InvariantCulture);
        return value.ToString("N" + Needed(value, (int)Math.Clamp(3 - magnitude, 0, 7), precision), CultureInfo.InvariantCulture);
    }

    private static string Cell(DataFrameColumn column, long row) => column[row] switch
    {
        null => "",
        string s => s,
        double d when column.Name is DeltaM.DeltaMColumn or DeltaM.DeltaMMeanColumn => Signed(d),
        double d when column.Name == DeltaM.DeltaMStdColumn => double.IsFinite(d) ? d.ToString("0.00", CultureInfo.InvariantCulture) : d.ToString(CultureInfo.InvariantCulture),
        double d => Number(d),
        float f => Number(f, 1e-6),
        long or int or short or ulong or uint => string.Format(CultureInfo.InvariantCulture, "{0:N0}", column[row]),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var value => value.ToString() ?? "",
    };

    /// <summary>The fewest decimals, up to <paramref name="most"/>, that write the value to its precision.</summary>
    private static int Needed(double value, int most, double precision)
    {
        for (var d = 0; d < most; d++)
            if (Math.Abs(Math.Round(value, d) - value) <= precision * Math.Abs(value)) return d;
        return most;
    }
}
