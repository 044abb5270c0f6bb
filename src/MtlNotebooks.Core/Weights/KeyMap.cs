using System.Text.RegularExpressions;

namespace MtlNotebooks.Weights;

/// <summary>How a module's state-dict keys are named in the authors' code it reproduces: rewriting rules (a .NET regular
/// expression and its replacement, applied in order to every key), kept as data in <c>Weights/KeyMaps/NAME.tsv</c>.
/// Where the structure is the same and only names differ, the authors' files load into ours and ours into theirs.
/// A line <c>alias PATTERN REPLACEMENT</c> names a second key under which the authors' code holds the same tensor (a
/// module registered twice, as ASTMT's MobileNet-V2 holds <c>features[:4]</c> again as <c>features_low</c>): their files
/// carry it, and their <c>load_state_dict(strict=True)</c> asks for it.</summary>
public sealed class KeyMap
{
    private readonly IReadOnlyList<(Regex Pattern, string Replacement)> _rules, _aliases;

    private KeyMap(string name, string reference, IReadOnlyList<(Regex, string)> rules, IReadOnlyList<(Regex, string)> aliases) =>
        (Name, Reference, _rules, _aliases) = (name, reference, rules, aliases);

    /// <summary>The table's name (its file name without .tsv).</summary>
    public string Name { get; }

    /// <summary>The code whose names the table gives, e.g. "the survey code's MTINet".</summary>
    public string Reference { get; }

    public int RuleCount => _rules.Count + _aliases.Count;

    /// <summary>The authors' name for our key <paramref name="key"/>.</summary>
    public string ToReference(string key)
    {
        foreach (var (pattern, replacement) in _rules) key = pattern.Replace(key, replacement);
        return key;
    }

    /// <summary>The other names the authors' code gives the tensor it names <paramref name="referenceKey"/>.</summary>
    public IEnumerable<string> AliasesOf(string referenceKey) =>
        _aliases.Where(a => a.Pattern.IsMatch(referenceKey)).Select(a => a.Pattern.Replace(referenceKey, a.Replacement));

    /// <summary>The table <c>KeyMaps/<paramref name="name"/>.tsv</c> embedded in the library.</summary>
    public static KeyMap Load(string name, string reference)
    {
        using var stream = typeof(KeyMap).Assembly.GetManifestResourceStream($"MtlNotebooks.Weights.KeyMaps.{name}.tsv")
            ?? throw new ArgumentException($"No key table '{name}' in the library.", nameof(name));
        using var reader = new StreamReader(stream);
        var (rules, aliases) = (new List<(Regex, string)>(), new List<(Regex, string)>());
        int number = 0;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            number++;
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split('\t');
            var alias = parts.Length == 3 && parts[0] == "alias";
            if (parts.Length != 2 && !alias)
                throw new InvalidDataException($"Key table '{name}', line {number}: expected a pattern and a replacement (or alias, a pattern and a replacement) separated by tabs.");
            (alias ? aliases : rules).Add((new Regex(parts[^2], RegexOptions.CultureInvariant), parts[^1]));
        }
        return new KeyMap(name, reference, rules, aliases);
    }
}
