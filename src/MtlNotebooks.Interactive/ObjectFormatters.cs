using System.Collections;
using Microsoft.Data.Analysis;
using Microsoft.DotNet.Interactive.Formatting;
using MtlNotebooks.Analysis;

namespace MtlNotebooks.Interactive;

/// <summary>What a cell returns that no formatter of its own type shows: a sequence of records, anonymous objects or
/// tuples as a table (<see cref="ObjectFrames.ToDataFrame"/>), one such object as a property table, with no
/// compiler-generated type names. .NET Interactive's defaults show these as collapsed "▶ { A = 1 }" rows headed by
/// names like &lt;&gt;f__AnonymousType0#7; every other value keeps the default formatter of its type.</summary>
internal static class ObjectFormatters
{
    public static void Register(int maxRows)
    {
        // A formatter registered for object is chosen before every default one (the formatters of more specific types
        // registered by the library still win), so what it does not show as a table goes to the default that .NET
        // Interactive would have chosen: the most specific one of the value's type, taken before this registration.
        var defaults = Formatter.RegisteredFormatters(includeDefaults: true).ToList();
        Formatter.Register(typeof(object), (value, context) => Html(value, context, maxRows, defaults), HtmlFormatter.MimeType);
        Formatter.Register(typeof(object), (value, context) => PlainText(value, context, maxRows, defaults), PlainTextFormatter.MimeType);
    }

    /// <summary>Longer sequences (or endless ones) are left to the default formatter, which shows their first items.</summary>
    public const int MaxItems = 10_000;

    private static bool Html(object value, FormatContext context, int maxRows, IReadOnlyList<ITypeFormatter> defaults)
    {
        var (table, items) = Table(value);
        if (table is null) return Default(items ?? value, context, HtmlFormatter.MimeType, defaults);
        context.Writer.Write(DataFrameHtml.Table(table, maxRows));
        return true;
    }

    private static bool PlainText(object value, FormatContext context, int maxRows, IReadOnlyList<ITypeFormatter> defaults)
    {
        var (table, items) = Table(value);
        if (table is null) return Default(items ?? value, context, PlainTextFormatter.MimeType, defaults);
        context.Writer.Write(DeltaM.ToText(table, maxRows).TrimEnd('\n'));
        return true;
    }

    /// <summary>The value as a table when it reads as one; a lazy sequence's items, read once, when it does not.</summary>
    private static (DataFrame? Table, object? Items) Table(object value)
    {
        if (value is string) return (null, null);
        if (value is IEnumerable sequence)
        {
            var rows = sequence.Cast<object?>().Take(MaxItems + 1).ToList();
            if (rows.Count > MaxItems) return (null, null);
            var read = value is ICollection ? null : rows;   // a query is not run again for the default formatter
            return (ObjectFrames.RowType(rows) is null ? null : rows.ToDataFrame(), read);
        }
        return (ObjectFrames.IsTabular(value.GetType()) ? ObjectFrames.Properties(value) : null, null);
    }

    private static bool Default(object value, FormatContext context, string mimeType, IReadOnlyList<ITypeFormatter> defaults)
    {
        var type = value.GetType();
        var candidates = defaults.Where(f => f.MimeType == mimeType && Applies(f.Type, type)).ToList();
        // The most specific: no other candidate's type derives from it.
        var best = candidates.FirstOrDefault(f => !candidates.Any(o => o.Type != f.Type && Applies(f.Type, o.Type)));
        return best?.Format(value, context) ?? false;
    }

    private static bool Applies(Type formatterType, Type type)
    {
        if (formatterType.IsAssignableFrom(type)) return true;
        if (!formatterType.IsGenericTypeDefinition) return false;
        for (var t = type; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == formatterType) return true;
        return type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == formatterType);
    }
}
