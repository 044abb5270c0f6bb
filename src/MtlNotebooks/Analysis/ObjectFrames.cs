using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Data.Analysis;

namespace MtlNotebooks.Analysis;

/// <summary>Objects as tables a reader expects: a sequence of records, anonymous objects or tuples becomes a DataFrame
/// with one column per property (numbers stay numbers, so they are right-aligned and rounded as every table of the
/// library), and a single such object a two-column property table. The notebook formatters show what a cell returns
/// through these, so <c>runs.Select(r =&gt; new { r.Name, r.Seconds })</c> reads as a table, not as an object dump.</summary>
public static class ObjectFrames
{
    /// <summary>The column names of <see cref="Properties(object)"/>.</summary>
    public const string PropertyColumn = "property", ValueColumn = "value";

    /// <summary>The items as a table, one row each and one column per public property (fields for tuples, whose element
    /// names do not exist at run time: Item1, Item2, …). Numbers become double or int64 columns, everything else text.</summary>
    /// <exception cref="ArgumentException">The items are not all of one type with properties (<see cref="IsTabular"/>).</exception>
    public static DataFrame ToDataFrame(this IEnumerable items) => items.ToDataFrame(names: null);

    /// <summary>The items as a table whose columns take <paramref name="names"/> in order, as the element names of tuples
    /// (known only to the code that made them) when one name is given per column; the members' own names otherwise.</summary>
    public static DataFrame ToDataFrame(this IEnumerable items, IReadOnlyList<string>? names)
    {
        ArgumentNullException.ThrowIfNull(items);
        var rows = items.Cast<object?>().ToList();
        var type = RowType(rows) ?? throw new ArgumentException(
            "Only a sequence of objects of one type with public properties (records, anonymous objects, tuples) becomes a table; " +
            $"this one holds {Describe(rows)}.", nameof(items));
        var members = Members(type);
        return new DataFrame(members.Select((m, i) => Column(Name(m, i, names, members.Count), rows.Select(r => r is null ? null : Read(m, r)).ToList())));
    }

    /// <summary>One object's public properties as a two-column table (<see cref="PropertyColumn"/>, <see cref="ValueColumn"/>).</summary>
    public static DataFrame Properties(object value) => Properties(value, names: null);

    /// <summary>One object's public properties as a two-column table, named <paramref name="names"/> in order when one
    /// name is given per property (a tuple's element names), by the members' own names otherwise.</summary>
    public static DataFrame Properties(object value, IReadOnlyList<string>? names)
    {
        ArgumentNullException.ThrowIfNull(value);
        var members = Members(value.GetType());
        return new DataFrame(
            new StringDataFrameColumn(PropertyColumn, members.Select((m, i) => Name(m, i, names, members.Count))),
            new StringDataFrameColumn(ValueColumn, members.Select(m => CellText(Read(m, value)))));
    }

    /// <summary>Whether a value of this type reads best as a property table: a record, an anonymous object, a tuple, a
    /// dictionary entry, or a class or struct with public properties that does not choose its own text (ToString) — and
    /// not a number, text, date, sequence or task.</summary>
    public static bool IsTabular(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (IsScalar(type) || typeof(IEnumerable).IsAssignableFrom(type) || typeof(Delegate).IsAssignableFrom(type) ||
            typeof(Exception).IsAssignableFrom(type) || typeof(Type).IsAssignableFrom(type) || typeof(System.Threading.Tasks.Task).IsAssignableFrom(type))
            return false;
        if (Members(type).Count == 0) return false;
        return IsAnonymous(type) || IsRecord(type) || IsTuple(type) || IsKeyValuePair(type) || !OverridesToString(type);
    }

    /// <summary>A value as one table cell: numbers rounded as the library's tables round them, sequences as their first
    /// items in brackets, objects as their own text.</summary>
    public static string CellText(object? value) => CellText(value, depth: 0);

    private static string CellText(object? value, int depth)
    {
        try
        {
            return Text(value, depth);
        }
        catch (Exception ex)   // a value's own ToString or enumeration may throw (a disposed tensor, a broken sequence)
        {
            return $"({ex.GetType().Name}: {ex.Message})";
        }
    }

    private static string Text(object? value, int depth) => value switch
    {
        null => "",
        string s => s,
        double d => TableCells.Number(d),
        float f => TableCells.Number(f, 1e-6),
        decimal m => TableCells.Number((double)m),
        long or int or short or ulong or uint or ushort or byte or sbyte => string.Format(CultureInfo.InvariantCulture, "{0:N0}", value),
        TimeSpan t => t.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t:mm\\:ss}")
                                        : t.ToString(@"m\:ss\.f", CultureInfo.InvariantCulture),
        IEnumerable e => depth < MaxNesting ? Brackets(e, depth) : "[…]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => IsAnonymous(value.GetType()) || IsRecord(value.GetType()) || OverridesToString(value.GetType()) ? value.ToString() ?? "" : value.GetType().Name,
    };

    /// <summary>The one type of the non-null rows when it is tabular (a sequence of these becomes a table); null otherwise:
    /// no rows, mixed types, numbers or text.</summary>
    public static Type? RowType(IReadOnlyList<object?> rows)
    {
        var types = rows.Where(r => r is not null).Select(r => r!.GetType()).Distinct().ToList();
        return types.Count == 1 && IsTabular(types[0]) ? types[0] : null;
    }

    private const int ItemsInACell = 8, MaxNesting = 2;

    private static string Name(MemberInfo member, int index, IReadOnlyList<string>? names, int count) =>
        names is not null && names.Count == count ? names[index] : member.Name;

    private static string Brackets(IEnumerable items, int depth)
    {
        var all = items.Cast<object?>().Take(ItemsInACell + 1).ToList();
        var shown = string.Join(", ", all.Take(ItemsInACell).Select(item => CellText(item, depth + 1)));
        return all.Count > ItemsInACell ? $"[{shown}, …]" : $"[{shown}]";
    }

    private static DataFrameColumn Column(string name, IReadOnlyList<object?> values)
    {
        var present = values.Where(v => v is not null).ToList();
        if (present.Count > 0 && present.All(v => v is float))
            return new SingleDataFrameColumn(name, values.Select(v => (float?)v));
        if (present.Count > 0 && present.All(v => v is double or float or decimal))
            return new DoubleDataFrameColumn(name, values.Select(v => v is null ? (double?)null : Convert.ToDouble(v, CultureInfo.InvariantCulture)));
        if (present.Count > 0 && present.All(v => v is long or int or short or uint or ushort or byte or sbyte))
            return new Int64DataFrameColumn(name, values.Select(v => v is null ? (long?)null : Convert.ToInt64(v, CultureInfo.InvariantCulture)));
        return new StringDataFrameColumn(name, values.Select(v => CellText(v)));
    }

    private static List<MemberInfo> Members(Type type)
    {
        const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance;
        if (IsTuple(type)) return [.. type.GetFields(flags)];
        // A property hidden with `new` is listed with the one hiding it: keep the most derived of each name.
        return [.. type.GetProperties(flags).Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.GetMethod!.IsPublic &&
                                                      p.Name != "EqualityContract" && !p.PropertyType.IsByRefLike)
                   .GroupBy(p => p.Name).Select(g => g.OrderByDescending(p => Depth(p.DeclaringType)).First())];
    }

    private static int Depth(Type? type)
    {
        var depth = 0;
        for (; type is not null; type = type.BaseType) depth++;
        return depth;
    }

    private static object? Read(MemberInfo member, object target)
    {
        try
        {
            return member is FieldInfo field ? field.GetValue(target) : ((PropertyInfo)member).GetValue(target);
        }
        catch (Exception ex)   // a getter that throws shows its error in its cell, not instead of the table
        {
            var inner = ex is TargetInvocationException { InnerException: { } e } ? e : ex;
            return $"({inner.GetType().Name}: {inner.Message})";
        }
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime) ||
        type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(Guid) || Nullable.GetUnderlyingType(type) is not null;

    private static bool IsAnonymous(Type type) =>
        type.IsDefined(typeof(CompilerGeneratedAttribute), false) && type.Name.Contains("AnonymousType", StringComparison.Ordinal);

    // The C# compiler gives every record a protected EqualityContract property.
    private static bool IsRecord(Type type) =>
        type.GetProperty("EqualityContract", BindingFlags.NonPublic | BindingFlags.Instance)?.GetMethod?.IsDefined(typeof(CompilerGeneratedAttribute)) == true;

    private static bool IsTuple(Type type) =>
        type.IsGenericType && type.FullName?.StartsWith("System.ValueTuple`", StringComparison.Ordinal) == true;

    private static bool IsKeyValuePair(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>);

    private static bool OverridesToString(Type type) =>
        type.GetMethod(nameof(ToString), Type.EmptyTypes)?.DeclaringType is { } declaring && declaring != typeof(object) && declaring != typeof(ValueType);

    private static string Describe(IReadOnlyList<object?> rows)
    {
        var types = rows.Where(r => r is not null).Select(r => r!.GetType().Name).Distinct().ToList();
        return types.Count switch
        {
            0 => rows.Count == 0 ? "no items" : "only nulls",
            1 => $"items of type {types[0]}, which has no public properties to show or is a number, text or sequence",
            _ => $"items of {types.Count} types ({string.Join(", ", types.Take(4))})",
        };
    }
}
