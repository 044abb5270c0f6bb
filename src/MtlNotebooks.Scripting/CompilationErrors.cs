using Microsoft.CodeAnalysis;

namespace MtlNotebooks.Scripting;

/// <summary>Compiler errors as "cell 5, line 3, column 9: error CS0103: …" followed by the offending source line.</summary>
internal static class CompilationErrors
{
    public static List<string> Describe(IEnumerable<Diagnostic> diagnostics, string source, string where)
    {
        var sourceLines = source.ReplaceLineEndings("\n").Split('\n');
        var result = new List<string>();
        foreach (var d in diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))
        {
            var span = d.Location.GetLineSpan();
            // Errors in a #load-ed file name it; errors in the cell or script itself do not repeat its name.
            var file = d.Location.IsInSource && !string.IsNullOrEmpty(span.Path) && Path.GetFileName(span.Path) != where ? Path.GetFileName(span.Path) + ", " : "";
            var (line, column) = (span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1);
            result.Add($"{where}, {file}line {line}, column {column}: error {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");
            if (file.Length == 0 && line >= 1 && line <= sourceLines.Length)
                result.Add("    " + sourceLines[line - 1].Trim());
        }

        if (result.Count == 0) result.Add($"{where}: compilation failed");
        return result;
    }
}
