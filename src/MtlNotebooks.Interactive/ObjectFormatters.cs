using System.Collections;
using System.Net;
using Microsoft.Data.Analysis;
using Microsoft.DotNet.Interactive.Formatting;
using MtlNotebooks.Analysis;

namespace MtlNotebooks.Interactive;

/// <summary>What a cell returns that no formatter of its own type shows: a sequence of records, anonymous objects or
/// tuples as a table (<see cref="ObjectFrames.ToDataFrame(System.Collections.IEnumerable)"/>), one such object as a property table, with no
/// compiler-generated type names. .NET Interactive's defaults show these as collapsed "▶ { A = 1 }" rows headed by
/// names like &lt;&gt;f__AnonymousType0#7; every other value keeps the formatter .NET Interactive would choose.</summary>
internal static class ObjectFormatters
{
    /// <summary>Longer sequences (or endless ones) are left to the default formatter, which shows their first items.</summary>
    public const int MaxItems = 10_000;

    public static void Register(int maxRows)
    {
        // A formatter registered for object is chosen before every default one (the formatters of more specific types
        // registered by the library still win), so what it does not show as a table goes to the formatters .NET
        // Interactive would have tried: all the others registered when the value is shown, most specific first.
        Formatter.Register(new ObjectFormatter(HtmlFormatter.MimeType, (value, context) => Html(value, context, maxRows)));
        Formatter.Register(new ObjectFormatter(PlainTextFormatter.MimeType, (value, context) => PlainText(value, context, maxRows)));
    }

    /// <summary>This class's formatters, a type of their own so that <see cref="Default"/> never hands a value back to them.</summary>
    private sealed class ObjectFormatter(string mimeType, Func<object?, FormatContext, bool> format) : ITypeFormatter
    {
        public string MimeType => mimeType;
        public Type Type => typeof(object);
        public bool Format(object instance, FormatContext context) => format(instance, context);
    }

    private static bool Html(object? value, FormatContext context, int maxRows)
    {
        if (value is null)
        {
            context.Writer.Write($"<div class=\"dni-plaintext\"><pre>{WebUtility.HtmlEncode(Formatter.NullString)}</pre></div>");
            return true;
        }
        var (table, items) = Table(value);
        if (table is null) return Default(items ?? value, context, HtmlFormatter.MimeType);
        context.Writer.Write(DataFrameHtml.Table(table, maxRows));
        return true;
    }

    private static bool PlainText(object? value, FormatContext context, int maxRows)
    {
        if (value is null)
        {
            context.Writer.Write(Formatter.NullString);
            return true;
        }
        var (table, items) = Table(value);
        if (table is null) return Default(items ?? value, context, PlainTextFormatter.MimeType);
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
            // A query is not run again for the default formatter: it gets the items read, as an array of their type.
            var read = value is ICollection ? null : ReadItems(value.GetType(), rows);
            return (ObjectFrames.RowType(rows) is null ? null : rows.ToDataFrame(), read);
        }
        return (ObjectFrames.IsTabular(value.GetType()) ? ObjectFrames.Properties(value) : null, null);
    }

    /// <summary>A lazy sequence's items, already read, as an array of its item type: what shows it without running it again.</summary>
    public static Array ReadItems(Type sequenceType, List<object?> rows)
    {
        var element = sequenceType.GetInterfaces().Append(sequenceType)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0] ?? typeof(object);
        var array = Array.CreateInstance(element, rows.Count);
        for (var i = 0; i < rows.Count; i++) array.SetValue(rows[i], i);
        return array;
    }

    /// <summary>The other formatters for the value's type, most specific first, each tried until one writes it.</summary>
    private static bool Default(object value, FormatContext context, string mimeType)
    {
        var type = value.GetType();
        var candidates = Formatter.RegisteredFormatters(includeDefaults: true)
            .Where(f => f.MimeType == mimeType && f is not ObjectFormatter && Applies(f.Type, type)).ToList();
        while (candidates.Count > 0)
        {
            // The most specific: no other candidate's type derives from it.
            var best = candidates.FirstOrDefault(f => !candidates.Any(o => o.Type != f.Type && Applies(f.Type, o.Type))) ?? candidates[0];
            if (best.Format(value, context)) return true;
            candidates.Remove(best);
        }
        return false;
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
