using System.IO.Compression;
using System.Text.Json;
using MtlNotebooks.Modules.SingleTasking;
using MtlNotebooks.Weights;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.SingleTasking;

/// <summary>ASTMT's ImageNet initialisation against the official code's own <c>load_pretrained</c>
/// (Fixtures/astmt_imagenet_map.json.gz, make_astmt_imagenet_map.py): the same key takes the same ImageNet key, every
/// task's SE and batch norm copy starts from the shared ImageNet layer, adapters stay zero.</summary>
[Collection("Torch")]
public sealed class AstmtImageNetTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mtl-astmt-imagenet-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly Lazy<JsonElement> Official = new(() =>
    {
        using var file = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "astmt_imagenet_map.json.gz"));
        return JsonDocument.Parse(new GZipStream(file, CompressionMode.Decompress)).RootElement.Clone();
    });

    /// <summary>The official configuration of the fixture: PASCAL's five tasks, SE-ResNet-26, SE in encoder and decoder,
    /// residual adapters, per-task batch norm, no discriminator.</summary>
    private static MultiTaskNetBuilder Pascal(string? weights, bool mobileNet = false) => MultiTaskNet.CreateBuilder()
        .UseBackbone(mobileNet ? Backbones.MobileNetV2(weights: weights) : Backbones.SEResNet26(weights: weights))
        .AddTask(DenseTasks.Edges()).AddTask(DenseTasks.SemanticSegmentation(21)).AddTask(DenseTasks.HumanParts(7))
        .AddTask(DenseTasks.SurfaceNormals()).AddTask(DenseTasks.Saliency())
        .UseArchitecture(new Astmt(true, true, Adapters: !mobileNet, Adversarial: false));

    private static bool Same(Tensor a, Tensor b) => (a == b).all().item<bool>();

    private static Dictionary<string, long[]> ImageNetKeys(string network = "se_resnet26") => Official.Value.GetProperty(network).GetProperty("imagenet").EnumerateArray()
        .ToDictionary(e => e[0].GetString()!, e => e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray());

    [Theory]
    [InlineData("se_resnet26")]
    [InlineData("se_mobilenet_v2")]
    public void Sources_EqualTheOfficialLoadPretrained_KeyForKey(string network)
    {
        bool mobileNet = network == "se_mobilenet_v2";
        using var model = Pascal(null, mobileNet).Build();
        var fixture = Official.Value.GetProperty(network);
        var tasks = fixture.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()!).ToArray();
        Assert.Equal(tasks, model.Network.Tasks);
        var ours = AstmtImageNet.Sources(model.Network.state_dict().Keys, tasks, ImageNetKeys(network).Keys.ToHashSet(), mobileNet);
        // The official MobileNet also lists its layers a second time, as aliases (features_low.N and features_high.N are features.N).
        var state = model.Network.state_dict();
        var pairs = fixture.GetProperty("pairs").EnumerateArray().Select(p => (Key: p[0].GetString()!, Source: p[1].GetString()!)).ToArray();
        Assert.All(pairs.Where(p => !state.ContainsKey(p.Key)), p => Assert.Matches("^features_(low|high)\\.", p.Key));
        var official = pairs.Where(p => state.ContainsKey(p.Key)).Select(p => $"{p.Key} <- {p.Source}").Order(StringComparer.Ordinal);
        Assert.Equal(official, ours.Select(p => $"{p.Key} <- {p.Value}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ImageNetSEMobileNetFile_BuildsTheMobileNetAstmt()
    {
        var path = Path.Combine(_folder, "se_mobilenet_v2.pth");
        var imagenet = ImageNetKeys("se_mobilenet_v2").ToDictionary(e => e.Key, e => e.Key.EndsWith("num_batches_tracked") ? tensor(5L) : randn(e.Value));
        StateDictFile.Write(path, imagenet);
        using var model = Pascal(path, mobileNet: true).Build();
        var state = model.Network.state_dict();
        foreach (var (key, source) in AstmtImageNet.Sources(state.Keys, model.Network.Tasks, imagenet.Keys.ToHashSet(), mobileNet: true))
            Assert.True(Same(state[key], imagenet[source]), key);
    }

    [Fact]
    public void ImageNetFile_AsTheAstmtCodeSavesIt_InitialisesEveryTasksCopy()
    {
        // An ImageNet SE-ResNet-26 state dict of the official classifier's keys, saved under DataParallel's prefix.
        var path = Path.Combine(_folder, "se_resnet26.pth");
        var imagenet = new Dictionary<string, Tensor>();
        foreach (var (key, shape) in ImageNetKeys())
            imagenet["module." + key] = key.EndsWith("num_batches_tracked") ? tensor(5L) : randn(shape);
        StateDictFile.Write(path, imagenet);

        using var model = Pascal(path).Build();
        var state = model.Network.state_dict();
        foreach (var task in model.Network.Tasks)
        {
            Assert.True(Same(state[$"layer2.1.bn2.{task}.running_var"], imagenet["module.layer2.1.bn2.running_var"]), task);
            Assert.True(Same(state[$"layer3.0.se.fc.{task}.0.weight"], imagenet["module.layer3.0.se.fc.0.weight"]), task);
            Assert.True(Same(state[$"layer1.0.downsample.norm.{task}.weight"], imagenet["module.layer1.0.downsample.1.weight"]), task);
            Assert.Equal(0f, state[$"layer4.1.adapt.{task}.weight"].abs().max().item<float>());   // adapters start at zero
        }
        Assert.True(Same(state["conv1.weight"], imagenet["module.conv1.weight"]));
        Assert.True(Same(state["layer1.0.downsample.process.weight"], imagenet["module.layer1.0.downsample.0.weight"]));
    }

    [Fact]
    public void ImageNetFileOfAnotherDepth_IsRefused_NamingWhatHasNoPlace()
    {
        var path = Path.Combine(_folder, "resnet50.pth");
        using (var other = Backbones.SEResNet50(includeClassifier: true).Create()) StateDictFile.Write(path, other);
        var error = Assert.Throws<InvalidDataException>(() => { using var _ = Pascal(path).Build(); });
        Assert.Contains("is not the ImageNet SE-ResNet of this encoder", error.Message);
        Assert.Contains("ImageNet layers with no place in the encoder", error.Message);
    }
}
