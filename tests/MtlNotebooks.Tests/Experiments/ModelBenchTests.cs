using System.Globalization;

namespace MtlNotebooks.Tests.Experiments;

/// <summary>The whole-model benchmark stays runnable without PyTorch: each model in its own process, the table and its CSV.</summary>
[Collection("Torch")]
public sealed class ModelBenchTests
{
    [Fact]
    public void TwoModels_WithoutReferenceCode_GiveTheTableWithTheSurveyCodesParameterCounts()
    {
        string csv = Path.Combine(Path.GetTempPath(), $"bench-models-{Guid.NewGuid():N}.csv");
        try
        {
            var (exit, output, error) = CliOutput.Run("bench-models", "--model", "pad-net", "mtan", "--image-size", "32", "--steps", "1", "--warmup", "0",
                "--batch-size", "1", "--memory-format", "contiguous", "--output", csv);

            Assert.True(exit == 0, error + output);
            Assert.Contains("no --reference-code, so TorchSharp only", output);
            // Read as text: LoadCsv would guess single precision and round 72,052,713 to 72,052,712.
            var lines = File.ReadAllLines(csv).Select(l => l.Split(',')).ToArray();
            string[] Column(string name) => [.. lines.Skip(1).Select(row => row[Array.IndexOf(lines[0], name)])];
            Assert.Equal(["pad-net", "mtan"], Column("model"));
            Assert.Equal(["nyud/hrnet18/pad_net", "nyud/resnet50/mtan"], Column("reference config"));
            // The released code's counts (ResourceTableTests, EncoderReferenceTests).
            Assert.Equal(["7019056", "72052713"], Column("parameters"));
            Assert.All(Column("TorchSharp ms"), ms => Assert.True(double.Parse(ms, CultureInfo.InvariantCulture) > 0));
            Assert.Equal(["NaN", "NaN"], Column("ratio"));
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Fact]
    public void ReferenceCodeWithoutConfigs_IsRefusedNamingTheOption()
    {
        string folder = Directory.CreateTempSubdirectory("not-a-checkout-").FullName;
        try
        {
            var (exit, _, error) = CliOutput.Run("bench-models", "--reference-code", folder);
            Assert.NotEqual(0, exit);
            Assert.Contains("--reference-code", error);
            Assert.Contains("no configs/ folder", error);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void TransformerCodeThatIsNoCheckout_IsRefusedNamingTheOption()
    {
        string folder = Directory.CreateTempSubdirectory("not-a-checkout-").FullName;
        try
        {
            var (exit, _, error) = CliOutput.Run("bench-models", "--model", "invpt", "--transformer-code", folder);
            Assert.NotEqual(0, exit);
            Assert.Contains("--transformer-code", error);
            Assert.Contains("no InvPT/ folder", error);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void UnknownModel_NamesTheChoices()
    {
        var (exit, _, error) = CliOutput.Run("bench-models", "--model", "segformer");
        Assert.NotEqual(0, exit);
        Assert.Contains("'segformer'", error);
        Assert.Contains("mti-net+aux", error);
        Assert.Contains("taskprompter", error);
    }
}
