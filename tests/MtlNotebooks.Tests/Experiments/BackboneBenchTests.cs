using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Experiments;

/// <summary>The backbone benchmark stays runnable: one model, tiny input, PyTorch side off.</summary>
[Collection("Torch")]
public sealed class BackboneBenchTests
{
    [Fact]
    public void OneModel_ReportsItsParametersTimeAndMemory()
    {
        var (exit, output, error) = CliOutput.Run("bench-backbones", "--model", "hrnet-w18-small", "--image-size", "32", "--batch-size", "1", "--steps", "1",
                                        "--warmup", "0", "--threads", $"{get_num_threads()}", "--python", "none");
        Assert.True(exit == 0, error);
        Assert.Contains("hrnet-w18-small", output);
        Assert.Contains("params   3,860,720", output);
        Assert.Matches(@"TorchSharp +\d+\.\d ms \(peak RSS \d+ MiB, \d+ before the model\)", output);
    }

    [Fact]
    public void UnknownModel_NamesTheChoices()
    {
        var (exit, _, error) = CliOutput.Run("bench-backbones", "--model", "vgg16", "--python", "none", "--threads", $"{get_num_threads()}");
        Assert.Equal(2, exit);
        Assert.Contains("unknown model 'vgg16'", error);
        Assert.Contains("resnet18-dilated, hrnet-w18-small, hrnet-w18", error);
    }
}
