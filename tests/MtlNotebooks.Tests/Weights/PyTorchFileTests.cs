using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Weights;

/// <summary>Weights across the border with PyTorch, both ways, against torchvision's own models run by Debian's
/// PyTorch: its files load into ours with equal logits; ours load strictly into its models with equal logits.</summary>
[Collection("Torch")]
public sealed class PyTorchFileTests(PyTorchSide pytorch) : IClassFixture<PyTorchSide>
{
    private static nn.Module Model(string name) => name == "resnet18"
        ? new ResNetModule(new ResNetOptions(18, IncludeClassifier: true))
        : new MobileNetV2Module(new MobileNetV2Options(IncludeClassifier: true));

    private static Tensor Logits(nn.Module model, Tensor x) =>
        model is ResNetModule resnet ? resnet.Logits(x) : ((MobileNetV2Module)model).Logits(x);

    [Theory]
    [InlineData("resnet18", "resnet18.pth", WeightFormat.TorchSave)]
    [InlineData("resnet18", "resnet18_legacy.pth", WeightFormat.TorchSaveLegacy)]
    [InlineData("mobilenet_v2", "mobilenet_v2.pth", WeightFormat.TorchSave)]
    [InlineData("mobilenet_v2", "mobilenet_v2_legacy.pth", WeightFormat.TorchSaveLegacy)]
    [InlineData("checkpoint", "checkpoint.pth.tar", WeightFormat.TorchSave)]
    public void PyTorchFile_LoadsIntoOurModel_WithPyTorchsLogits(string expected, string file, WeightFormat format)
    {
        var path = pytorch.File(file);
        Assert.Equal(format, StateDictFile.Detect(path));
        using var model = Model(expected == "checkpoint" ? "resnet18" : expected);
        using (var loaded = StateDictFile.Read(path))
        {
            if (expected == "checkpoint")
                Assert.Equal("torch.save (zip), checkpoint entry 'model', DataParallel's 'module.' prefix removed, 122 tensors", loaded.Describe());
            PretrainedWeights.Load(model, loaded, "test");
        }

        model.eval();
        using var scope = NewDisposeScope();
        using var io = StateDictFile.Read(pytorch.File("io.pth"));
        var ours = Logits(model, io.Tensors["x"]);
        double difference = (ours - io.Tensors[expected]).abs().max().item<float>();
        Assert.True(difference < 1e-4, $"{file}: max |PyTorch − ours| = {difference:g3}");
    }

    [Fact]
    public void OurFiles_LoadStrictlyIntoTorchvision_WithOurLogits()
    {
        using var io = StateDictFile.Read(pytorch.File("io.pth"));
        var outputs = new Dictionary<string, Tensor> { ["x"] = io.Tensors["x"] };
        foreach (var name in new[] { "resnet18", "mobilenet_v2" })
        {
            using var model = Model(name);
            PretrainedWeights.Load(model, pytorch.File($"{name}.pth"), "test");
            using (no_grad())
                foreach (var (_, parameter) in model.named_parameters()) parameter.add_(0.01 * randn_like(parameter));  // not PyTorch's values any more
            model.eval();
            StateDictFile.Write(pytorch.File($"ours_{name}.pth"), model);
            StateDictFile.Write(pytorch.File($"ours_{name}.safetensors"), model);
            using (no_grad()) outputs[name] = Logits(model, io.Tensors["x"]);
        }

        StateDictFile.Write(pytorch.File("ours_io.pth"), outputs);
        var differences = pytorch.Check();
        Assert.Equal(4, differences.Count);
        foreach (var (what, difference) in differences)
            Assert.True(difference < 1e-4, $"{what}: max |ours − PyTorch after loading ours| = {difference:g3}");
    }

    [Fact]
    public void Backbone_TakesAnImageNetFileDirectly_SkippingItsClassifier()
    {
        var spec = Backbones.ResNet18(weights: pytorch.File("resnet18_legacy.pth"));
        Assert.Empty(spec.Validate());
        using var backbone = spec.Create();
        using var reference = Model("resnet18");
        PretrainedWeights.Load(reference, pytorch.File("resnet18.pth"), "test");
        Assert.Equal(0f, (backbone.state_dict()["layer4.1.bn2.running_var"] - reference.state_dict()["layer4.1.bn2.running_var"]).abs().max().item<float>());
    }

    [Theory]
    [InlineData("ours.safetensors")]
    [InlineData("ours.pth")]
    [InlineData("ours.dat")]
    public void Write_ThenRead_GivesTheSameTensors(string file)
    {
        using var model = new ResNetModule(new ResNetOptions(18, 0.125));
        var path = Path.Combine(pytorch.Folder, file);
        StateDictFile.Write(path, model);
        using var loaded = StateDictFile.Read(path);
        Assert.Equal(StateDictFile.FormatFor(path), loaded.Format);
        var ours = model.state_dict();
        Assert.Equal(ours.Keys, loaded.Tensors.Keys);
        foreach (var (name, tensor) in ours)
        {
            Assert.Equal(tensor.dtype, loaded.Tensors[name].dtype);
            Assert.True((tensor == loaded.Tensors[name]).all().item<bool>(), name);
        }
        Assert.Equal(ours.Keys, StateDictFile.Index(path).Select(e => e.Name));
    }
}
