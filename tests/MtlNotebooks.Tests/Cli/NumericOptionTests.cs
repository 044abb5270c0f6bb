using System.CommandLine;
using MtlNotebooks.Cli;

namespace MtlNotebooks.Tests.Cli;

/// <summary>Every numeric option of every command, fed a non-number, an empty word, a fraction, zero and a negative: the
/// parse never throws, a word that is not a number is named as such, and nothing reaches a command's work.</summary>
public sealed class NumericOptionTests
{
    public static TheoryData<string> NumericOptions()
    {
        var data = new TheoryData<string>();
        foreach (var (path, option) in Options(CliApp.CreateRoot(), [])) data.Add(string.Join(' ', path.Append(option.Name)));
        return data;
    }

    [Fact]
    public void TheCommandsHaveNumericOptions() =>
        Assert.True(NumericOptions().Count >= 30, $"only {NumericOptions().Count} numeric options found");

    [Theory]
    [MemberData(nameof(NumericOptions))]
    public void ANonNumber_IsNamedAsSuch(string commandAndOption)
    {
        var words = commandAndOption.Split(' ');
        bool whole = Find(words) is Option<int> or Option<int?>;
        foreach (var value in new[] { "abc", "", "1.5" })
        {
            if (value == "1.5" && !whole) continue;
            var errors = Errors([.. words, value]);
            string expected = $"{words[^1]}: '{value}' is not a {(whole ? "whole number" : "number")}.";
            Assert.True(errors.Contains(expected), $"{commandAndOption} '{value}': expected \"{expected}\" among: {string.Join(" | ", errors)}");
        }
    }

    [Theory]
    [MemberData(nameof(NumericOptions))]
    public void ZeroAndNegatives_ParseWithoutThrowing_AndAnyProblemNamesTheOption(string commandAndOption)
    {
        var words = commandAndOption.Split(' ');
        foreach (var value in new[] { "0", "-1", "-2147483649", "99999999999" })
        {
            var errors = Errors([.. words, value]);
            Assert.All(errors.Where(e => e.Contains(value)), e => Assert.StartsWith(words[^1], e));
        }
    }

    [Theory]
    [InlineData("run", "quick", "--epochs", "two", "--epochs: 'two' is not a whole number.")]
    [InlineData("run", "quick", "--seeds", "abc", "--seeds: 'abc' is not a whole number.")]
    [InlineData("run", "quick", "--lr", "abc", "--lr: 'abc' is not a number.")]
    [InlineData("run", "quick", "--image-size", "8", "--image-size must be at least 16, got 8.")]
    [InlineData("data", "preview", "--samples", "1.5", "--samples: '1.5' is not a whole number.")]
    [InlineData("bench-balancers", "--seeds", "x", "--seeds: 'x' is not a whole number.")]
    public void TheProcess_ExitsWithOne_AndOneLine(params string[] argsAndExpected)
    {
        var (exit, output, error) = CliOutput.Run(argsAndExpected[..^1]);
        Assert.Equal(1, exit);
        Assert.Contains(argsAndExpected[^1], error);
        Assert.DoesNotContain("Exception", output + error);
        Assert.DoesNotContain("   at ", output + error);
    }

    private static IReadOnlyList<string> Errors(string[] args) =>
        CliApp.CreateRoot().Parse(args).Errors.Select(e => e.Message).ToList();

    private static Option Find(string[] words)
    {
        Command command = CliApp.CreateRoot();
        foreach (var word in words[..^1]) command = command.Subcommands.Single(c => c.Name == word);
        return command.Options.Single(o => o.Name == words[^1]);
    }

    private static IEnumerable<(string[] Path, Option Option)> Options(Command command, string[] path)
    {
        foreach (var option in command.Options.Where(o => o is Option<int> or Option<int?> or Option<double> or Option<double?>))
            yield return (path, option);
        foreach (var sub in command.Subcommands)
        foreach (var found in Options(sub, [.. path, sub.Name]))
            yield return found;
    }
}
