using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MtlNotebooks.Scripting;

/// <summary>Papermill's parameters convention for C# notebooks: the code cell tagged "parameters" declares defaults
/// (<c>var smoke = false;</c>); values given on the command line (<c>-p smoke=true</c>) go into a new cell tagged
/// "injected-parameters" right after it, each declared with the type of the original declaration.</summary>
public static class NotebookParameters
{
    public const string ParametersTag = "parameters", InjectedTag = "injected-parameters";

    /// <summary>A declared parameter: its name, its C# type and the default's source text.</summary>
    public sealed record Declaration(string Name, string Type, string DefaultText);

    public static int FindParametersCell(NotebookDocument notebook) =>
        notebook.Cells.Select((c, i) => (c, i)).FirstOrDefault(x => x.c.IsCode && x.c.Tags.Contains(ParametersTag), (null!, -1)).Item2;

    /// <summary>The declarations of a parameters cell. A <c>var</c> takes its type from a literal initializer.</summary>
    public static IReadOnlyList<Declaration> Declarations(string source)
    {
        var root = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest, kind: SourceCodeKind.Script)).GetRoot();
        var result = new List<Declaration>();
        foreach (var declaration in root.DescendantNodes().OfType<VariableDeclarationSyntax>()
                     .Where(d => d.Parent is LocalDeclarationStatementSyntax or FieldDeclarationSyntax))
        {
            foreach (var variable in declaration.Variables)
            {
                var type = declaration.Type.IsVar ? InferType(variable) : declaration.Type.ToString();
                result.Add(new Declaration(variable.Identifier.Text, type ?? "var", variable.Initializer?.Value.ToString() ?? ""));
            }
        }

        return result;
    }

    /// <summary>Puts the values in an injected-parameters cell right after the parameters cell, replacing any injected
    /// cell already there (an executed notebook run again keeps one, with the new values only, as papermill does);
    /// leaves the notebook unchanged when there are no values.</summary>
    public static void Inject(NotebookDocument notebook, IReadOnlyDictionary<string, string> values)
    {
        if (values.Count == 0) return;
        RemoveInjected(notebook);
        var index = FindParametersCell(notebook);
        if (index < 0)
            throw new NotebookParameterException(
                $"{notebook.Describe()} has no code cell tagged \"{ParametersTag}\", so -p {string.Join(", ", values.Keys)} cannot be applied.");
        var declarations = Declarations(notebook.Cells[index].Source).ToDictionary(d => d.Name, StringComparer.Ordinal);
        var code = new StringBuilder("// Parameters injected by the runner (-p name=value).\n");
        foreach (var (name, value) in values)
        {
            if (!declarations.TryGetValue(name, out var declaration))
                throw new NotebookParameterException(
                    $"-p {name}: {notebook.Describe()} declares no parameter '{name}' in its \"{ParametersTag}\" cell (cell {index + 1}); " +
                    $"it declares: {string.Join(", ", declarations.Keys)}.");
            code.Append(CultureInfo.InvariantCulture, $"{declaration.Type} {name} = {Literal(declaration, value)};\n");
        }

        notebook.InsertCell(index + 1, "code", code.ToString().TrimEnd('\n'), [InjectedTag]);
    }

    /// <summary>For a kernel, which sees cells one at a time and no tags: the declarations of <paramref name="values"/>'
    /// names in <paramref name="source"/>, as code that overrides them (run right after that source), or null when it
    /// declares none of them.</summary>
    public static string? OverridesFor(string source, IReadOnlyDictionary<string, string> values)
    {
        if (values.Count == 0) return null;
        var code = new StringBuilder();
        foreach (var declaration in Declarations(source).Where(d => values.ContainsKey(d.Name)))
            code.Append(CultureInfo.InvariantCulture, $"{declaration.Type} {declaration.Name} = {Literal(declaration, values[declaration.Name])};\n");
        return code.Length == 0 ? null : code.ToString();
    }

    private static void RemoveInjected(NotebookDocument notebook)
    {
        var injected = notebook.Cells.Select((c, i) => (c, i)).Where(x => x.c.Tags.Contains(InjectedTag)).Select(x => x.i).Reverse().ToList();
        foreach (var i in injected)
            notebook.CellArray.RemoveAt(i);
    }

    /// <summary>Parses "name=value" pairs (the CLI's -p), keeping the last value of a repeated name.</summary>
    public static IReadOnlyDictionary<string, string> ParsePairs(IEnumerable<string> pairs)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
                throw new NotebookParameterException($"-p {pair}: expected name=value, e.g. -p smoke=true.");
            result[pair[..eq].Trim()] = pair[(eq + 1)..];
        }

        return result;
    }

    private static string? InferType(VariableDeclaratorSyntax variable) => variable.Initializer?.Value switch
    {
        LiteralExpressionSyntax { RawKind: (int)SyntaxKind.TrueLiteralExpression or (int)SyntaxKind.FalseLiteralExpression } => "bool",
        LiteralExpressionSyntax { RawKind: (int)SyntaxKind.StringLiteralExpression } => "string",
        LiteralExpressionSyntax { RawKind: (int)SyntaxKind.NumericLiteralExpression } literal => literal.Token.Value switch
        {
            int => "int",
            long => "long",
            float => "float",
            double => "double",
            decimal => "decimal",
            uint => "uint",
            ulong => "ulong",
            _ => null,
        },
        PrefixUnaryExpressionSyntax { Operand: LiteralExpressionSyntax literal } => literal.Token.Value switch
        {
            int => "int",
            long => "long",
            float => "float",
            double => "double",
            decimal => "decimal",
            _ => null,
        },
        _ => null,
    };

    private static string Literal(Declaration declaration, string value)
    {
        var type = declaration.Type;
        var invalid = () => new NotebookParameterException(
            $"-p {declaration.Name}={value}: '{value}' is not a valid {type} (the parameters cell declares {declaration.Name} = {declaration.DefaultText}).");
        var number = NumberStyles.Float;
        var c = CultureInfo.InvariantCulture;
        switch (type)
        {
            case "var":
                throw new NotebookParameterException(
                    $"-p {declaration.Name}: its declaration 'var {declaration.Name} = {declaration.DefaultText}' has no literal to take a type from; " +
                    "declare the type (e.g. 'int epochs = Defaults.Epochs;') to make it overridable.");
            case "bool" or "System.Boolean" or "Boolean":
                return bool.TryParse(value, out var b) ? (b ? "true" : "false") : throw invalid();
            case "string" or "System.String" or "String":
                return SymbolDisplay.FormatLiteral(value, quote: true);
            case "int" or "Int32" or "System.Int32":
                return int.TryParse(value, NumberStyles.Integer, c, out var i) ? i.ToString(c) : throw invalid();
            case "long" or "Int64" or "System.Int64":
                return long.TryParse(value, NumberStyles.Integer, c, out var l) ? l.ToString(c) + "L" : throw invalid();
            case "double" or "Double" or "System.Double":
                return double.TryParse(value, number, c, out var d) && double.IsFinite(d) ? d.ToString("R", c) + "d" : throw invalid();
            case "float" or "Single" or "System.Single":
                return float.TryParse(value, number, c, out var f) && float.IsFinite(f) ? f.ToString("R", c) + "f" : throw invalid();
            case "decimal" or "Decimal" or "System.Decimal":
                return decimal.TryParse(value, number, c, out var m) ? m.ToString(c) + "m" : throw invalid();
            default:
                // Any other declared type: the value is C# source (an enum member, a constructor call, …).
                return value;
        }
    }
}
