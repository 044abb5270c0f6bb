using System.IO.Compression;
using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Weights;

namespace MtlNotebooks.Tests.Cli;

/// <summary><c>mtl weights inspect</c> and <c>mtl weights convert</c>.</summary>
[Collection("Torch")]
public sealed class WeightsCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mtl-weights-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string File(string name) => Path.Combine(_folder, name);

    [Fact]
    public void Inspect_AnImageNetShapedFile_ListsTensorsAndTheBackboneItFits()
    {
        using (var model = new MobileNetV2Module(new MobileNetV2Options(IncludeClassifier: true))) StateDictFile.Write(File("mobilenet.pth"), model);
        var (exit, output, error) = CliOutput.Run("weights", "inspect", File("mobilenet.pth"));
        Assert.True(exit == 0, error);
        // torchvision's mobilenet_v2().state_dict(): 314 tensors, 3,539,036 values
        Assert.Contains("torch.save (zip), 314 tensors, 3,539,036 values.", output);
        Assert.Contains("features.0.0.weight", output);
        Assert.Contains("… 294 more (--all lists them)", output);
        Assert.Contains("Fits MobileNet-V2: Backbones.MobileNetV2(weights: file).", output);
        Assert.DoesNotContain("Fits ResNet", output);
    }

    [Fact]
    public void Inspect_AFileOfTheSurveyCodesHardSharing_NamesItsConfiguration()
    {
        using (var model = MultiTaskNet.CreateBuilder().UseBackbone(Backbones.HRNetW18Small()).AddTask(DenseTasks.SemanticSegmentation(40))
                   .AddTask(DenseTasks.Depth()).UseArchitecture(Architectures.HardSharing(Heads.HRNet())).Build())
            model.Network.SaveWeights(File("hard-sharing.pth"), referenceNames: true);
        var (exit, output, error) = CliOutput.Run("weights", "inspect", File("hard-sharing.pth"));
        Assert.True(exit == 0, error);
        Assert.Contains("Fits the survey code's nyud/hrnet18/multi_task_baseline under the code's own names: the network `mtl bench-models --model hard-sharing` builds (4,019,251 parameters)", output);
    }

    /// <summary>The ASTMT code's MobileNet-V2 network of Table 3's "SE + Adv" row (no adapters on MobileNet), under its
    /// names with the second names of its blocks (3,699 keys): the row, encoder and tasks are named.</summary>
    [Fact]
    public void Inspect_AFileOfTheAstmtCodesMobileNetNetwork_NamesItsRow()
    {
        using (var model = MultiTaskNet.CreateBuilder().UseBackbone(Backbones.MobileNetV2())
                   .AddTask(DenseTasks.Edges()).AddTask(DenseTasks.SemanticSegmentation(21)).AddTask(DenseTasks.HumanParts(7))
                   .AddTask(DenseTasks.SurfaceNormals()).AddTask(DenseTasks.Saliency())
                   .UseArchitecture(Architectures.AstmtTable3["astmt-se-adversarial"]).Build())
            model.Network.SaveWeights(File("astmt.pth"), referenceNames: true);
        var (exit, output, error) = CliOutput.Run("weights", "inspect", File("astmt.pth"));
        Assert.True(exit == 0, error);
        Assert.Contains("3699 tensors", output);
        Assert.Contains("Fits ASTMT's astmt-se-adversarial on MobileNet-V2 for PASCAL's edge, semseg, human_parts, normals, sal", output);
    }

    [Fact]
    public void RoundTrip_WithoutACheckout_OrWithAModelOfTheOtherCode_IsRefused()
    {
        var (exit, _, error) = CliOutput.Run("weights", "roundtrip");
        Assert.Equal(1, exit);
        Assert.Contains("--reference-code (the survey's models) and/or --astmt-code (ASTMT's)", error);
        (exit, _, error) = CliOutput.Run("weights", "roundtrip", "--astmt-code", _folder, "--model", "mti-net");
        Assert.Equal(1, exit);
        Assert.Contains($"--astmt-code: '{_folder}' is not a checkout of astmt", error);
        Assert.Contains("--model mti-net is the survey code's: give --reference-code.", error);
    }

    [Fact]
    public void Convert_WritesTheFormatTheExtensionNames_AndNeverOverwrites()
    {
        using var model = new ResNetModule(new ResNetOptions(18, 0.125));
        StateDictFile.Write(File("r.pth"), model);
        var (exit, output, error) = CliOutput.Run("weights", "convert", File("r.pth"), File("r.safetensors"));
        Assert.True(exit == 0, error);
        Assert.Contains("(Safetensors, 120 tensors)", output);
        Assert.Equal(WeightFormat.Safetensors, StateDictFile.Detect(File("r.safetensors")));
        var before = System.IO.File.ReadAllBytes(File("r.safetensors"));

        (exit, _, error) = CliOutput.Run("weights", "convert", File("r.pth"), File("r.safetensors"));
        Assert.Equal(1, exit);
        Assert.Contains("already exists", error);
        Assert.Equal(before, System.IO.File.ReadAllBytes(File("r.safetensors")));

        (exit, _, error) = CliOutput.Run("weights", "convert", File("r.pth"), File("r.onnx"));
        Assert.Equal(1, exit);
        Assert.Contains("the extension names no format", error);
    }

    [Fact]
    public void Convert_ATrainingRunsCheckpoint_ExportsItsNetworkForPyTorch()
    {
        using var train = MtlNotebooks.Data.Synthetic.SyntheticDataset.Create(MtlNotebooks.Data.Synthetic.SyntheticSplit.Train, 8, 32, 32, seed: 1);
        var builder = MultiTaskNet.CreateBuilder().UseBackbone(Backbones.SmallResNet(8)).AddTask(DenseTasks.Depth()).AddTask(DenseTasks.SurfaceNormals())
            .UseArchitecture(Architectures.MtiNet()).WithSeed(3);
        using var model = builder.Build();
        MtlNotebooks.Training.Trainer.Fit(model, train, train, new MtlNotebooks.Training.TrainingOptions
        {
            Epochs = 1, BatchSize = 4, Seed = 1, CheckpointPath = File("run.ckpt"), Progress = null,
        });
        var (exit, output, error) = CliOutput.Run("weights", "convert", File("run.ckpt"), File("run.pth"));
        Assert.True(exit == 0, error);
        Assert.Contains("training checkpoint", output);

        using var fresh = builder.WithSeed(4).Build();
        fresh.Network.LoadWeights(File("run.pth"));
        var trained = model.Network.state_dict();
        foreach (var (name, tensor) in fresh.Network.state_dict())
            Assert.True((tensor == trained[name]).all().item<bool>(), name);

        System.IO.File.WriteAllBytes(File("damaged.ckpt"), [.. System.IO.File.ReadAllBytes(File("run.ckpt")).SkipLast(10)]);
        (exit, _, error) = CliOutput.Run("weights", "inspect", File("damaged.ckpt"));
        Assert.Equal(1, exit);
        Assert.Contains("is truncated", error);
    }

    [Fact]
    public void Inspect_APickleThatNamesACallable_IsOneErrorLine()
    {
        using (var archive = ZipFile.Open(File("evil.pth"), ZipArchiveMode.Create))
        using (var stream = archive.CreateEntry("archive/data.pkl").Open())
            stream.Write(System.Text.Encoding.Latin1.GetBytes("\u0080\u0002cposix\nsystem\n)R."));
        var (exit, output, error) = CliOutput.Run("weights", "inspect", File("evil.pth"));
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.StartsWith($"error: Weights file '{File("evil.pth")}' is a pickle that names the global posix.system.", error);
    }
}
