namespace MtlNotebooks.Tests.Experiments;

/// <summary>The step benchmark stays runnable on any architecture of the registry, with its profile.</summary>
[Collection("Torch")]
public sealed class BenchTests
{
    [Fact]
    public void ChosenArchitectures_ReportStepTimeMemoryAndLiveTensors_AndAProfile()
    {
        var (exit, output, error) = CliOutput.Run("bench", "--steps", "2", "--image-size", "32", "--batch-size", "2", "--width", "4",
            "--architecture", "mtan", "branched", "--profile", "--channels-last");

        Assert.True(exit == 0, error);
        Assert.Contains("channels-last", output);
        Assert.Matches(@"(?m)^Mtan +params +\d[\d,]* +step median", output);
        Assert.Matches(@"(?m)^Branched\(", output);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(output, @"live tensors [\d,]+ → [\d,]+").Count);
        Assert.Contains("backward", output);
        Assert.Contains("forward ms per step", output);
    }

    [Fact]
    public void UnknownArchitecture_NamesTheChoices()
    {
        var (exit, _, error) = CliOutput.Run("bench", "--architecture", "transformer");
        Assert.NotEqual(0, exit);
        Assert.Contains("transformer", error);
        Assert.Contains("hard-sharing", error);
    }
}
