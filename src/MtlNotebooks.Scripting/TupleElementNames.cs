using System.Collections;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;
using MtlNotebooks.Analysis;
using MtlNotebooks.Interactive;

namespace MtlNotebooks.Scripting;

/// <summary>The element names of a tuple a cell ends with. C# keeps them in the static type only, so the value alone
/// shows Item1, Item2, …; the last expression's type in the submission's compilation still has them, for a tuple
/// (<c>(loss, accuracy)</c>) and for a sequence of tuples (<c>runs.Select(r =&gt; (r.Name, r.Seconds))</c>).</summary>
internal static class TupleElementNames
{
    /// <summary>The value to show for what the script's last expression returned: a property or row table under the
    /// tuple's element names when it has any, else the value itself.</summary>
    public static object? Apply(Script script, object? value)
    {
        if (value is null) return null;
        try
        {
            return Find(script) switch
            {
                ({ } names, false) when value is ITuple tuple && tuple.Length == names.Count => ObjectFrames.Properties(value, names),
                ({ } names, true) when value is IEnumerable items and not string => Rows(items, names) ?? value,
                _ => value,
            };
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return value;   // the names are a nicety: a value they do not fit is shown as it is
        }
    }

    private static object? Rows(IEnumerable items, IReadOnlyList<string> names)
    {
        // Read at most what the table formatter reads; a longer (or endless) sequence keeps its own formatter.
        var rows = items.Cast<object?>().Take(ObjectFormatters.MaxItems + 1).ToList();
        if (rows.Count > ObjectFormatters.MaxItems) return null;
        if (ObjectFrames.RowType(rows) is { IsValueType: true }) return rows.ToDataFrame(names);
        return items is ICollection ? null : ObjectFormatters.ReadItems(items.GetType(), rows);   // a query is not run twice
    }

    /// <summary>The names and whether they are those of a sequence's items; null names when the last expression is not a
    /// tuple (or sequence of tuples) with at least one element named by the code.</summary>
    private static (IReadOnlyList<string>? Names, bool OfItems) Find(Script script)
    {
        var compilation = script.GetCompilation();
        var tree = compilation.SyntaxTrees.LastOrDefault();
        if (tree?.GetRoot() is not CompilationUnitSyntax root) return (null, false);
        var last = root.Members.OfType<GlobalStatementSyntax>().LastOrDefault()?.Statement as ExpressionStatementSyntax;
        if (last is null || !last.SemicolonToken.IsMissing) return (null, false);
        var type = compilation.GetSemanticModel(tree).GetTypeInfo(last.Expression).Type;
        if (Names(type) is { } own) return (own, false);
        var item = type is IArrayTypeSymbol array ? array.ElementType : ItemType(type);
        return (Names(item), true);
    }

    private static ITypeSymbol? ItemType(ITypeSymbol? type)
    {
        if (type is null) return null;
        var enumerable = type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Collections_Generic_IEnumerable_T } self
            ? self
            : type.AllInterfaces.FirstOrDefault(i => i.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T);
        return enumerable?.TypeArguments[0];
    }

    private static IReadOnlyList<string>? Names(ITypeSymbol? type)
    {
        // Tuples of more than seven elements nest the rest in a field of their own: their fields are not the names.
        if (type is not INamedTypeSymbol { IsTupleType: true } tuple || tuple.TupleElements.Length > 7) return null;
        var names = tuple.TupleElements.Select(e => e.Name).ToList();
        return names.Where((name, i) => name != $"Item{i + 1}").Any() ? names : null;
    }
}
