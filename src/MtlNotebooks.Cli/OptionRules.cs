using System.CommandLine;
using System.Globalization;

namespace MtlNotebooks.Cli;

/// <summary>Range rules on numeric options, checked by the parser before any work, so a zero or negative number is a
/// message naming the option, never an exception deep in training or benchmarking.</summary>
internal static class OptionRules
{
    /// <summary>Rejects values below <paramref name="min"/>: "--steps must be at least 1, got 0."</summary>
    public static Option<int> AtLeast(this Option<int> option, int min)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && result.GetValueOrDefault<int>() is var value && value < min)
                result.AddError($"{option.Name} must be at least {min}, got {value}.");
        });
        return option;
    }

    /// <inheritdoc cref="AtLeast(Option{int}, int)"/>
    public static Option<int?> AtLeast(this Option<int?> option, int min)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is int value && value < min)
                result.AddError($"{option.Name} must be at least {min}, got {value}.");
        });
        return option;
    }

    /// <summary>Rejects zero, negative and non-finite values: "--lr must be a positive number, got 0."</summary>
    public static Option<double?> Positive(this Option<double?> option)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is double value && !(value > 0 && double.IsFinite(value)))
                result.AddError($"{option.Name} must be a positive number, got {value.ToString(CultureInfo.InvariantCulture)}.");
        });
        return option;
    }
}
