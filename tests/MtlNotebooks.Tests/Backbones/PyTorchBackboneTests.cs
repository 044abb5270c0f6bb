using MtlNotebooks.Modules.Backbones;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.BackboneZoo;

/// <summary>HRNet against the survey code's own HighResolutionNet (branches 2/4/8/16); the ResNets against torchvision's BasicBlock / Bottleneck at 1/16 width (Fixtures/make_backbone_fixtures.py,
/// run with Debian's PyTorch): the same state-dict keys, weights and input give the same layer outputs and logits within 1e-4.</summary>
[Collection("Torch")]
public sealed class PyTorchBackboneTests
{
    private sealed record Fixture(string Torch, int Depth, double WidthMultiplier, int OutputStride, int Classes,
        Dictionary<string, PyTorchFixtures.StoredTensor> State, PyTorchFixtures.StoredTensor Input, Dictionary<string, PyTorchFixtures.StoredTensor> Outputs, int Width = 0, int StemChannels = 0, int Stage1Planes = 0,
        int FpnChannels = 0, bool SqueezeExcitation = false);

    private static Fixture Load(string name) => PyTorchFixtures.Load<Fixture>(name);

    private static void LoadState(nn.Module module, Fixture fixture) =>
        PyTorchFixtures.CopyState(module, fixture.State.ToDictionary(e => e.Key, e => (Func<Tensor>)e.Value.ToTensor));

    private static void AssertOutputs(string file, Fixture fixture, IReadOnlyDictionary<string, Tensor> produced)
    {
        Assert.Equal(fixture.Outputs.Keys.Order(), produced.Keys.Order());
        foreach (var (name, expected) in fixture.Outputs)
        {
            var reference = expected.ToTensor();
            Assert.Equal(reference.shape, produced[name].shape);
            var difference = (produced[name] - reference).abs().max().item<float>();
            Assert.True(difference < 1e-4, $"{file} {name}: max difference {difference} from PyTorch {fixture.Torch}");
        }
    }

    [Theory]
    [InlineData("resnet18_reference.json")]
    [InlineData("resnet50_os8_reference.json")]
    [InlineData("seresnet26_os16_reference.json")] // ASTMT's SE-ResNet-26 against an SE block written from Hu et al. 2018
    public void ResNet_TorchVisionWeights_GiveTorchVisionOutputs(string file)
    {
        var fixture = Load(file);
        using var module = new ResNetModule(new ResNetOptions(fixture.Depth, fixture.WidthMultiplier, fixture.OutputStride,
            IncludeClassifier: true, Classes: fixture.Classes, SqueezeExcitation: fixture.SqueezeExcitation));
        LoadState(module, fixture);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = fixture.Input.ToTensor();
        var maps = module.call(input);
        AssertOutputs(file, fixture, new Dictionary<string, Tensor>
        {
            ["layer1"] = maps[0], ["layer2"] = maps[1], ["layer3"] = maps[2], ["layer4"] = maps[3], ["logits"] = module.Logits(input),
        });
    }

    [Fact]
    public void MobileNetV2_TorchVisionWeights_GiveTorchVisionOutputs()
    {
        const string file = "mobilenet_v2_reference.json";
        var fixture = Load(file);
        var config = new MobileNetV2Options(fixture.WidthMultiplier, IncludeLastConv: false);
        using var module = new MobileNetV2Module(config);
        LoadState(module, fixture);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var maps = module.call(fixture.Input.ToTensor());
        AssertOutputs(file, fixture, config.Features.Levels.Select((l, i) => (l.Name, maps[i])).ToDictionary(p => p.Name, p => p.Item2));
    }

    [Fact]
    public void HRNet_SurveyCodeWeights_GiveSurveyCodeOutputs()
    {
        const string file = "hrnet_reference.json";
        var fixture = Load(file);
        var config = new HRNetOptions(fixture.Width, fixture.StemChannels, fixture.Stage1Planes);
        using var module = new HRNetModule(config);
        LoadState(module, fixture);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var maps = module.call(fixture.Input.ToTensor());
        AssertOutputs(file, fixture, config.Features.Levels.Select((l, i) => (l.Name, maps[i])).ToDictionary(p => p.Name, p => p.Item2));
    }

    [Fact]
    public void Fpn_TorchVisionWeights_GiveTorchVisionOutputs()
    {
        // torchvision's BackboneWithFPN layout: body.* (the ResNet) and fpn.inner_blocks / fpn.layer_blocks.
        const string file = "resnet18_fpn_reference.json";
        var fixture = Load(file);
        var spec = Backbones.Fpn(Backbones.ResNet18(fixture.WidthMultiplier), fixture.FpnChannels);
        using var module = spec.Create();
        LoadState(module, fixture);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var maps = module.call(fixture.Input.ToTensor());
        AssertOutputs(file, fixture, spec.Features.Levels.Select((l, i) => (l.Name, maps[i])).ToDictionary(p => p.Name, p => p.Item2));
    }

    [Fact]
    public void ExportedStateDict_LoadsThroughTheFactory_AndGivesPyTorchOutputs()
    {
        // tools/export_state_dict.py converted a torch.save checkpoint ('module.' prefix stripped, classifier dropped).
        string weights = Path.Combine(AppContext.BaseDirectory, "Fixtures", "resnet18_exported.dat");
        var fixture = Load("resnet18_exported_outputs.json");
        using var module = Backbones.ResNet18(1.0 / 16, weights: weights).Create();
        module.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var maps = module.call(fixture.Input.ToTensor());
        AssertOutputs("resnet18_exported.dat", fixture, new Dictionary<string, Tensor>
        {
            ["layer1"] = maps[0], ["layer2"] = maps[1], ["layer3"] = maps[2], ["layer4"] = maps[3],
        });
    }
}
