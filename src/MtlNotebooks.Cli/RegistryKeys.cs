using System.CommandLine;

namespace MtlNotebooks.Cli;

/// <summary>Options whose values are keys of a library registry (<see cref="Architectures.All"/>,
/// <see cref="Backbones.All"/>, <see cref="Heads.All"/>, <see cref="Balancers.All"/>, <see cref="DataSetPresets.All"/>).
/// The keys are offered as completions and shown in help; any other value fails the parse with a message that names the
/// option, so a command maps only known keys to the registry's objects.</summary>
internal static class RegistryKeys
{
    /// <summary>Accepts only <paramref name="keys"/> as values of <paramref name="option"/>.</summary>
    public static TOption AcceptOnlyKeys<TOption>(this TOption option, IEnumerable<string> keys) where TOption : Option
    {
        var known = keys.ToArray();
        option.CompletionSources.Add(known);
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => !known.Contains(t.Value)))
                result.AddError($"{option.Name}: unknown '{token.Value}'; choose from {string.Join(", ", known)}.");
        });
        return option;
    }
}
