using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace MtlNotebooks.Cli;

/// <summary>How numeric options read their value. The word is parsed first, then range-checked, in one parser, so a
/// non-number ("--epochs two") and a number out of range ("--epochs 0") are both a parse error naming the option, and
/// no later check ever reads a value that did not parse (that read throws inside System.CommandLine).</summary>
internal static class OptionRules
{
    /// <summary>Rejects values below <paramref name="min"/>: "--steps must be at least 1, got 0."</summary>
    public static Option<int> AtLeast(this Option<int> option, int min) => option.Between(min, int.MaxValue);

    /// <summary>Rejects values outside [<paramref name="min"/>, <paramref name="max"/>], naming both bounds.</summary>
    public static Option<int> Between(this Option<int> option, int min, int max)
    {
        option.CustomParser = result => Whole(result, option.Name, min, max) ?? 0;
        return option;
    }

    /// <inheritdoc cref="AtLeast(Option{int}, int)"/>
    public static Option<int?> AtLeast(this Option<int?> option, int min) => option.Between(min, int.MaxValue);

    /// <inheritdoc cref="Between(Option{int}, int, int)"/>
    public static Option<int?> Between(this Option<int?> option, int min, int max)
    {
        option.CustomParser = result => Whole(result, option.Name, min, max);
        return option;
    }

    /// <summary>Rejects zero, negative and non-finite values: "--lr must be a positive number, got 0."</summary>
    public static Option<double?> Positive(this Option<double?> option)
    {
        option.CustomParser = result => Number(result, option.Name, positive: true);
        return option;
    }

    /// <summary>Accepts a share from 0 to 1: "--class-by-colour is a share from 0 to 1, got 1.5."</summary>
    public static Option<double?> Share(this Option<double?> option)
    {
        option.CustomParser = result => Number(result, option.Name, positive: false) is not { } value ? null
            : value is >= 0 and <= 1 ? value
            : Fail<double>(result, $"{option.Name} is a share from 0 to 1, got {value.ToString(CultureInfo.InvariantCulture)}.");
        return option;
    }

    /// <summary>Gives every numeric option under <paramref name="command"/> that has no rule of its own the same parser, so
    /// every command words a non-number alike: "--seed: 'abc' is not a whole number."</summary>
    public static void ParseNumbersAlike(Command command)
    {
        foreach (var option in command.Options)
        {
            switch (option)
            {
                case Option<int> { CustomParser: null } o: o.CustomParser = r => Whole(r, o.Name, int.MinValue, int.MaxValue) ?? 0; break;
                case Option<int?> { CustomParser: null } o: o.CustomParser = r => Whole(r, o.Name, int.MinValue, int.MaxValue); break;
                case Option<double> { CustomParser: null } o: o.CustomParser = r => Number(r, o.Name, positive: false) ?? 0; break;
                case Option<double?> { CustomParser: null } o: o.CustomParser = r => Number(r, o.Name, positive: false); break;
            }
        }
        foreach (var sub in command.Subcommands) ParseNumbersAlike(sub);
    }

    private static int? Whole(ArgumentResult result, string name, int min, int max)
    {
        if (Word(result) is not { } word) return null;
        if (!long.TryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            return Fail<int>(result, $"{name}: '{word}' is not a whole number.");
        if (value < min)
            return Fail<int>(result, min == int.MinValue ? $"{name}: {value} is too small." : $"{name} must be at least {min}, got {value}.");
        if (value > max)
            return Fail<int>(result, max == int.MaxValue ? $"{name}: {value} is too large." : $"{name} must be at most {max}, got {value}.");
        return (int)value;
    }

    private static double? Number(ArgumentResult result, string name, bool positive)
    {
        if (Word(result) is not { } word) return null;
        if (!double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            return Fail<double>(result, $"{name}: '{word}' is not a number.");
        if (positive && !(value > 0 && double.IsFinite(value)))
            return Fail<double>(result, $"{name} must be a positive number, got {value.ToString(CultureInfo.InvariantCulture)}.");
        if (!double.IsFinite(value))
            return Fail<double>(result, $"{name} must be a finite number, got {word}.");
        return value;
    }

    /// <summary>The option's one word; the parser reports a missing value itself.</summary>
    private static string? Word(ArgumentResult result) => result.Tokens.Count == 0 ? null : result.Tokens[^1].Value.Trim();

    private static T? Fail<T>(ArgumentResult result, string message) where T : struct
    {
        result.AddError(message);
        return null;
    }
}
