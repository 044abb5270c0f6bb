using System.Globalization;

namespace MtlNotebooks.Scripting;

/// <summary>The command-line options of a .csx script, which the host hands it as <see cref="ScriptGlobals.Arguments"/>
/// (its <c>Args</c> read with typed getters): <c>--name value</c> pairs and bare <c>--flag</c>s; when an option is
/// given twice, the later value wins. Each getter names the option it reads; <see cref="RejectUnknown"/>, called after
/// them, fails on any other option. Errors are <see cref="ArgumentException"/>s naming the option, e.g. "--epochs must
/// be an integer, got 'x'.".</summary>
/// <example><code>
/// var smoke = Arguments.Flag("--smoke");
/// var epochs = Arguments.Int("--epochs", smoke ? 1 : 8, min: 1);
/// Arguments.RejectUnknown();
/// </code></example>
public sealed class ScriptArguments
{
    private const string Prefix = "--";

    // Option → its value (null for a bare flag), the last occurrence winning; in the order first given.
    private readonly Dictionary<string, string?> _given = new(StringComparer.Ordinal);
    private readonly List<string> _known = [];

    public ScriptArguments(IEnumerable<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var name = list[i];
            if (!IsOption(name))
                throw new ArgumentException($"Unexpected argument '{name}': options start with {Prefix}, e.g. --epochs 2.");
            var value = i + 1 < list.Count && !IsOption(list[i + 1]) ? list[++i] : null;
            _given[name] = value;
        }
    }

    /// <summary>Whether the flag is given. A flag takes no value.</summary>
    public bool Flag(string name)
    {
        if (!Lookup(name, out var value))
            return false;
        return value is null ? true : throw new ArgumentException($"{name} takes no value, got '{value}'.");
    }

    /// <summary>The option's value as text, or <paramref name="defaultValue"/> when the option is not given.</summary>
    public string String(string name, string defaultValue)
    {
        ArgumentNullException.ThrowIfNull(defaultValue);
        return Lookup(name, out var value) ? Required(name, value, "a value") : defaultValue;
    }

    /// <summary>The option's value as text, or null when the option is not given (the callee picks its own default).</summary>
    public string? OptionalString(string name) =>
        Lookup(name, out var value) ? Required(name, value, "a value") : null;

    /// <summary>The option's value as an integer (invariant culture) of at least <paramref name="min"/>, or
    /// <paramref name="defaultValue"/> when the option is not given.</summary>
    public int Int(string name, int defaultValue, int min = int.MinValue)
    {
        if (!Lookup(name, out var value))
            return defaultValue;
        var text = Required(name, value, $"an integer, e.g. {name} 2");
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            throw new ArgumentException($"{name} must be an integer, got '{text}'.");
        return number >= min ? number : throw new ArgumentException($"{name} must be at least {min}, got '{text}'.");
    }

    /// <summary>The option's value as a finite number (invariant culture, e.g. 2e-3), or
    /// <paramref name="defaultValue"/> when the option is not given.</summary>
    public double Double(string name, double defaultValue)
    {
        if (!Lookup(name, out var value))
            return defaultValue;
        var text = Required(name, value, $"a number, e.g. {name} 0.5");
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? number
            : throw new ArgumentException($"{name} must be a number, got '{text}'.");
    }

    /// <summary>Fails on an option that no getter has read, listing those that were: call it after the getters, before
    /// the script starts its work.</summary>
    public void RejectUnknown()
    {
        var unknown = _given.Keys.Where(k => !_known.Contains(k)).ToList();
        if (unknown.Count == 0)
            return;
        var options = unknown.Count == 1 ? $"option '{unknown[0]}'" : $"options {string.Join(", ", unknown.Select(u => $"'{u}'"))}";
        throw new ArgumentException($"Unknown {options}. Known: {string.Join(", ", _known)}.");
    }

    private bool Lookup(string name, out string? value)
    {
        if (name is null || !IsOption(name))
            throw new ArgumentException($"An option name starts with {Prefix}, e.g. --epochs; got '{name}'.", nameof(name));
        if (!_known.Contains(name))
            _known.Add(name);
        return _given.TryGetValue(name, out value);
    }

    private static string Required(string name, string? value, string what) =>
        value ?? throw new ArgumentException($"{name} needs {what}.");

    // "-1" is a value (a negative number), "--x" an option.
    private static bool IsOption(string arg) => arg.StartsWith(Prefix, StringComparison.Ordinal) && arg.Length > Prefix.Length;
}
