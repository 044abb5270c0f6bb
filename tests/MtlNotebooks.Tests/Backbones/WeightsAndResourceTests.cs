using MtlNotebooks.Weights;
using MtlNotebooks.Analysis;
using MtlNotebooks.Modules.Backbones;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.BackboneZoo;

[Collection("Torch")]
public sealed class WeightsAndResourceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mtl-weights-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Create_WithWeightsFile_LoadsThemByName()
    {
        string path = Path.Combine(_folder, "resnet18.dat");
        using var source = Backbones.ResNet18(0.125).Create();
        source.save(path);
        Assert.Contains(PretrainedWeights.ReadIndex(path), e => e.Name == "layer4.1.bn2.running_mean" && e.Shape.SequenceEqual([64L]));
        using var loaded = Backbones.ResNet18(0.125, weights: path).Create();
        source.eval();
        loaded.eval();
        using var scope = NewDisposeScope();
        var x = randn(1, 3, 32, 32);
        Assert.Equal(0f, (source.call(x).Coarsest - loaded.call(x).Coarsest).abs().max().item<float>());
    }

    [Fact]
    public void Create_WeightsOfAnotherNetwork_ListsWrongShapeMissingAndUnexpectedKeys()
    {
        string path = Path.Combine(_folder, "resnet18-classifier.dat");
        using (var source = new ResNetModule(new ResNetOptions(18, 0.25, IncludeClassifier: true))) source.save(path);
        var spec = Backbones.ResNet18(0.125, weights: path);
        Assert.Empty(spec.Validate());
        var error = Assert.Throws<InvalidDataException>(() => { using var _ = spec.Create(); });
        Assert.DoesNotContain("fc.weight", error.Message);   // an ImageNet classifier is skipped when the module has none
        Assert.Contains("wrong shape: conv1.weight is [16, 3, 7, 7] in the file, [8, 3, 7, 7] in the module", error.Message);
        Assert.Contains(path, error.Message);

        using (var source = new ResNetModule(new ResNetOptions(18, 0.125, SqueezeExcitation: false))) source.save(path);
        var se = Backbones.ResNet(new ResNetOptions(18, 0.125, SqueezeExcitation: true), path);
        var missing = Assert.Throws<InvalidDataException>(() => { using var _ = se.Create(); });
        Assert.Contains("missing keys (32): layer1.0.se.fc1.weight", missing.Message);
    }

    [Fact]
    public void Validate_MissingWeightsFile_IsAPlanProblem()
    {
        var plan = MultiTaskNet.CreateBuilder().UseBackbone(Backbones.ResNet50(weights: "no/such/file.dat")).AddTask(DenseTasks.Depth()).Plan();
        Assert.Contains(plan.Problems, p => p.Contains("UseBackbone(ResNet50): weights file 'no/such/file.dat' does not exist."));
    }

    [Fact]
    public void Measure_SingleConv_CountsKernelTimesOutputs()
    {
        using var conv = nn.Conv2d(3, 8, 3, padding: 1);
        var count = ResourceCounts.Measure(conv, 10, 10);
        var layer = Assert.Single(count.Layers);
        Assert.Equal(8 * 10 * 10 * 3 * 3 * 3, layer.MultiplyAccumulates); // Cout·H·W·Cin·k·k = 21,600
        Assert.Equal(8 * 27 + 8, count.Parameters);
        Assert.Equal([1L, 8, 10, 10], layer.OutputShape);
    }

    [Fact]
    public void Measure_ResNet18At224_Gives182GigaMacsAsFvcore()
    {
        using var module = new ResNetModule(new ResNetOptions(18, IncludeClassifier: true));
        var count = ResourceCounts.Measure(module, 224, 224);
        Assert.Equal(11_689_512, count.Parameters);
        // Hooks on torchvision's resnet18 with the same rule: conv 1,813,561,344 + BN 2,483,712 (+ fc 512,000, which the
        // backbone's forward does not call: features only; its parameters are counted).
        Assert.Equal(1_813_561_344, count.Layers.Where(l => l.Type == "Conv2d").Sum(l => l.MultiplyAccumulates));
        Assert.Equal(2_483_712, count.Layers.Where(l => l.Type == "BatchNorm2d").Sum(l => l.MultiplyAccumulates));
        Assert.Equal(1_816_045_056, count.MultiplyAccumulates);
        Assert.Equal(1.82, Math.Round(count.GigaMacs, 2));
        Assert.DoesNotContain(count.Layers, l => l.Module == "fc");
        var table = count.ToDataFrame(depth: 1);
        Assert.Equal(["conv1", "bn1", "layer1", "layer2", "layer3", "layer4"], table["Module"].Cast<string>());
    }
}
