using MtlNotebooks.Weights;

namespace MtlNotebooks.Tests.Experiments;

/// <summary>A backbone starts from a weight file through its <see cref="IPretrainableBackbone"/> capability, in the
/// library and as <c>run quick --weights</c>; the file's tensors are what the module holds, and every wrong use of the
/// option is named.</summary>
[Collection("Torch")]
public sealed class BackboneWeightsTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("mtl-backbone-weights-");

    public void Dispose() => _scratch.Delete(recursive: true);

    /// <summary>The registry's backbone <paramref name="key"/> as a .safetensors file of its (random) initial weights.</summary>
    private string FileOf(string key, out Dictionary<string, float[]> tensors)
    {
        var path = Path.Combine(_scratch.FullName, key + ".safetensors");
        using var module = Backbones.All[key].Create();
        StateDictFile.Write(path, module);
        tensors = module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().flatten().to_type(TorchSharp.torch.ScalarType.Float32).data<float>().ToArray());
        return path;
    }

    [Theory]
    [InlineData("resnet18")]
    [InlineData("se-resnet26")]
    [InlineData("mobilenet-v2")]
    [InlineData("hrnet-w18-small")]
    [InlineData("resnet18-fpn")]
    public void WithWeights_CreatesTheModuleHoldingTheFilesTensors(string key)
    {
        var path = FileOf(key, out var written);
        var backbone = Backbones.All[key].Capability<IPretrainableBackbone>()!.WithWeights(path);
        Assert.Equal(path, backbone.Capability<IPretrainableBackbone>()!.Weights);
        using var module = backbone.Create();
        var loaded = module.state_dict();
        Assert.Equal(written.Keys.Order(), loaded.Keys.Order());
        foreach (var (name, values) in written)
            Assert.True(values.SequenceEqual(loaded[name].detach().cpu().flatten().to_type(TorchSharp.torch.ScalarType.Float32).data<float>().ToArray()),
                $"{key}: {name} is not the file's");
    }

    [Fact]
    public void RunQuick_WithWeights_TrainsEveryNetworkFromTheFile()
    {
        var path = FileOf("resnet18", out _);
        var folder = Path.Combine(_scratch.FullName, "run");
        var (exit, output, error) = CliOutput.Run("run", "quick", "--tiny", "--backbone", "resnet18", "--weights", path, "--train-samples", "16", "--output", folder);
        Assert.True(exit == 0, output + error);
        Assert.Contains($"weights {Path.GetFileName(path)}", output);
        Assert.True(File.Exists(Path.Combine(folder, "delta_m.csv")));
    }

    [Fact]
    public void RunQuick_WeightsOfAnotherBackbone_ListsWhatDoesNotFit()
    {
        var path = FileOf("mobilenet-v2", out _);
        var (exit, _, error) = CliOutput.Run("run", "quick", "--tiny", "--backbone", "resnet18", "--weights", path, "--output", Path.Combine(_scratch.FullName, "run"));
        Assert.Equal(1, exit);
        Assert.Contains($"weights file '{path}'", error);
        Assert.Contains("does not fit", error);
        Assert.Contains("conv1.weight", error);   // a key ResNet-18 has and the MobileNet file lacks
        Assert.DoesNotContain("   at ", error);   // no stack trace
        Assert.False(Directory.Exists(Path.Combine(_scratch.FullName, "run")));   // refused before the run folder is made
    }

    [Theory]
    [InlineData(null, "name the backbone the file is for with --backbone (resnet18, ")]
    [InlineData("small-resnet", "the backbone 'small-resnet' starts from random weights only; backbones that load a file: resnet18, ")]
    public void RunQuick_WeightsWithoutABackboneThatLoadsThem_IsRefusedNamingTheOption(string? backbone, string expected)
    {
        var path = FileOf("resnet18", out _);
        string[] args = ["run", "quick", "--tiny", "--weights", path, "--output", Path.Combine(_scratch.FullName, "run")];
        var (exit, _, error) = CliOutput.Run(backbone is null ? args : [.. args, "--backbone", backbone]);
        Assert.Equal(1, exit);
        Assert.Contains($"error: --weights {path}: {expected}", error);
        Assert.False(Directory.Exists(Path.Combine(_scratch.FullName, "run")));
    }

    [Fact]
    public void RunQuick_WeightsFileMissing_IsRefusedBeforeTraining()
    {
        var missing = Path.Combine(_scratch.FullName, "missing.pth");
        var (exit, _, error) = CliOutput.Run("run", "quick", "--tiny", "--backbone", "resnet18", "--weights", missing, "--output", Path.Combine(_scratch.FullName, "run"));
        Assert.Equal(1, exit);
        Assert.Contains($"error: --weights {missing}: no such file.", error);
    }

    /// <summary>An ImageNet file holds the paper's width (torchvision's ResNet-18: 11,689,512 parameters with its
    /// classifier): the registry's narrow resnet18 refuses it, --backbone-width 1 takes it.</summary>
    [Fact]
    public void RunQuick_BackboneWidthOne_TakesAFullWidthFile_WhichTheNarrowDefaultRefuses()
    {
        var path = Path.Combine(_scratch.FullName, "resnet18-imagenet.pth");
        using (var module = Backbones.ResNet18(includeClassifier: true).Create())
        {
            Assert.Equal(11_689_512, module.parameters().Sum(p => p.numel()));
            StateDictFile.Write(path, module);
        }
        var (exit, _, error) = CliOutput.Run("run", "quick", "--tiny", "--backbone", "resnet18", "--weights", path, "--output", Path.Combine(_scratch.FullName, "narrow"));
        Assert.Equal(1, exit);
        Assert.Contains("wrong shape: conv1.weight is [64, 3, 7, 7] in the file, [8, 3, 7, 7] in the module", error);

        var folder = Path.Combine(_scratch.FullName, "full");
        (exit, var output, error) = CliOutput.Run("run", "quick", "--tiny", "--backbone", "resnet18", "--backbone-width", "1", "--weights", path,
            "--train-samples", "8", "--val-samples", "4", "--output", folder);
        Assert.True(exit == 0, output + error);
        Assert.Contains("backbone ResNet-18 (weights resnet18-imagenet.pth)", output);   // the paper's width: no "width ×" in the name
    }

    [Theory]
    [InlineData(null, "error: --backbone-width 1: name the backbone with --backbone (resnet18, ")]
    [InlineData("small-resnet", "error: --backbone-width: the backbone 'small-resnet' has no width multiplier; backbones that have one: resnet18, ")]
    public void RunQuick_BackboneWidthWithoutABackboneThatHasOne_IsRefused(string? backbone, string expected)
    {
        string[] args = ["run", "quick", "--tiny", "--backbone-width", "1", "--output", Path.Combine(_scratch.FullName, "run")];
        var (exit, _, error) = CliOutput.Run(backbone is null ? args : [.. args, "--backbone", backbone]);
        Assert.Equal(1, exit);
        Assert.Contains(expected, error);
        Assert.False(Directory.Exists(Path.Combine(_scratch.FullName, "run")));
    }
}
