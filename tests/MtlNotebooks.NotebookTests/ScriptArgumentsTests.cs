using System.Globalization;
using MtlNotebooks.Scripting;

namespace MtlNotebooks.NotebookTests;

public sealed class ScriptArgumentsTests
{
    private static string Error(Action read) => Assert.Throws<ArgumentException>(read).Message;

    [Fact]
    public void Getters_ReadTypedValuesAndFallBackToDefaults()
    {
        var arguments = new ScriptArguments(["--epochs", "3", "--smoke", "--lr", "2e-3", "--output", "runs/x", "--seed", "-1"]);

        Assert.True(arguments.Flag("--smoke"));
        Assert.False(arguments.Flag("--verbose"));
        Assert.Equal(3, arguments.Int("--epochs", 8, min: 1));
        Assert.Equal(16, arguments.Int("--width", 16));
        Assert.Equal(-1, arguments.Int("--seed", 0));
        Assert.Equal(2e-3, arguments.Double("--lr", 0.1));
        Assert.Equal(0.5, arguments.Double("--momentum", 0.5));
        Assert.Equal("runs/x", arguments.String("--output", "runs/quick"));
        Assert.Equal("a,b", arguments.String("--balancers", "a,b"));
        arguments.RejectUnknown();
    }

    [Fact]
    public void RepeatedOption_TheLaterValueWins()
    {
        Assert.Equal(5, new ScriptArguments(["--epochs", "2", "--epochs", "5"]).Int("--epochs", 1));
    }

    [Fact]
    public void Numbers_AreInvariantCulture()
    {
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            Assert.Equal(0.25, new ScriptArguments(["--lr", "0.25"]).Double("--lr", 1));
            Assert.Equal("--lr must be a number, got '0,25'.", Error(() => new ScriptArguments(["--lr", "0,25"]).Double("--lr", 1)));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void BadValues_NameTheOptionAndTheValue()
    {
        Assert.Equal("--epochs must be an integer, got 'x'.", Error(() => new ScriptArguments(["--epochs", "x"]).Int("--epochs", 1)));
        Assert.Equal("--epochs must be an integer, got '2.5'.", Error(() => new ScriptArguments(["--epochs", "2.5"]).Int("--epochs", 1)));
        Assert.Equal("--epochs must be at least 1, got '0'.", Error(() => new ScriptArguments(["--epochs", "0"]).Int("--epochs", 1, min: 1)));
        Assert.Equal("--lr must be a number, got 'fast'.", Error(() => new ScriptArguments(["--lr", "fast"]).Double("--lr", 1)));
        Assert.Equal("--lr must be a number, got 'NaN'.", Error(() => new ScriptArguments(["--lr", "NaN"]).Double("--lr", 1)));
        Assert.Equal("--smoke takes no value, got 'yes'.", Error(() => new ScriptArguments(["--smoke", "yes"]).Flag("--smoke")));
    }

    [Fact]
    public void MissingValues_NameTheOption()
    {
        Assert.Equal("--epochs needs an integer, e.g. --epochs 2.", Error(() => new ScriptArguments(["--epochs"]).Int("--epochs", 1)));
        Assert.Equal("--epochs needs an integer, e.g. --epochs 2.", Error(() => new ScriptArguments(["--epochs", "--smoke"]).Int("--epochs", 1)));
        Assert.Equal("--lr needs a number, e.g. --lr 0.5.", Error(() => new ScriptArguments(["--lr"]).Double("--lr", 1)));
        Assert.Equal("--output needs a value.", Error(() => new ScriptArguments(["--output"]).String("--output", "runs")));
    }

    [Fact]
    public void UnknownOptions_AreRejectedWithTheKnownOnes()
    {
        var arguments = new ScriptArguments(["--epoch", "3", "--smoke", "--widht", "8"]);
        arguments.Flag("--smoke");
        arguments.Int("--epochs", 1);
        arguments.Int("--width", 16);

        Assert.Equal("Unknown options '--epoch', '--widht'. Known: --smoke, --epochs, --width.", Error(arguments.RejectUnknown));
        var single = new ScriptArguments(["--epoch", "3"]);
        single.Int("--epochs", 1);
        Assert.Equal("Unknown option '--epoch'. Known: --epochs.", Error(single.RejectUnknown));
    }

    [Fact]
    public void ArgumentsThatAreNotOptions_AreRejectedAtOnce()
    {
        Assert.Equal("Unexpected argument 'train': options start with --, e.g. --epochs 2.", Error(() => _ = new ScriptArguments(["train", "--epochs", "2"])));
        Assert.Equal("Unexpected argument '3': options start with --, e.g. --epochs 2.", Error(() => _ = new ScriptArguments(["--epochs", "2", "3"])));
        Assert.Contains("got 'epochs'", Error(() => new ScriptArguments([]).Int("epochs", 1)));
    }
}
