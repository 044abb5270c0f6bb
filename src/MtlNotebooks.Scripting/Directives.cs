using System.Text.RegularExpressions;

namespace MtlNotebooks.Scripting;

/// <summary>Splits kernel directives from C# code. Directive lines become empty lines, so compiler line numbers still
/// match the cell.</summary>
public static partial class Directives
{
    public static (string Code, IReadOnlyList<Directive> Directives) Extract(string source)
    {
        var lines = source.ReplaceLineEndings("\n").Split('\n');
        var found = new List<Directive>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            Directive? directive = null;
            if (NugetReference().Match(line) is { Success: true } r)
            {
                var version = r.Groups["version"].Success ? r.Groups["version"].Value.Trim() : null;
                directive = new PackageDirective(i + 1, line, r.Groups["id"].Value.Trim(), string.IsNullOrEmpty(version) ? null : version);
            }
            else if (SourceLine().Match(line) is { Success: true } s)
            {
                directive = new SourceDirective(i + 1, line, s.Groups["source"].Value.Trim());
            }
            else if (line.StartsWith("#!", StringComparison.Ordinal))
            {
                var name = line.Split((char[])[' ', '\t'], 2)[0];
                directive = new MagicDirective(i + 1, line, name);
            }

            if (directive is null) continue;
            found.Add(directive);
            lines[i] = "";
        }

        return (string.Join("\n", lines), found);
    }

    [GeneratedRegex("""^#r\s+"nuget:\s*(?<id>[^,"]+?)\s*(,\s*(?<version>[^"]*))?"\s*$""")]
    private static partial Regex NugetReference();

    [GeneratedRegex("""^#i\s+"(nuget:\s*)?(?<source>[^"]+)"\s*$""")]
    private static partial Regex SourceLine();
}
