using System.Text.Json;
using MtlNotebooks.Modules.EncoderFocused;
using MtlNotebooks.Modules.Layers;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.EncoderFocused;

/// <summary>The encoder-focused models against the survey's official code (Fixtures/make_encoder_fixtures.py builds
/// SimonVandenhende/Multi-Task-Learning-PyTorch under Debian's PyTorch): NYUD on a dilated ResNet-50 and PASCAL on a dilated
/// ResNet-18 with DeepLab heads have its parameter counts and state-dict keys and shapes; the units its outputs.</summary>
[Collection("Torch")]
public sealed class EncoderReferenceTests
{
    private static readonly Lazy<JsonElement> Reference = new(() => PyTorchFixtures.Json("encoder_reference.json"));

    private static JsonElement Fixture(string name) => Reference.Value.GetProperty("fixtures").GetProperty(name);

    /// <summary>The counts pinned here are the official code's (the JSON repeats them, so a re-run of the script that changed them fails too).</summary>
    [Theory]
    [InlineData("nyud/resnet50/multi_task_baseline", 55_769_449L, 0L)]
    [InlineData("nyud/resnet50/cross_stitch", 79_292_841L, 15_360L)]
    [InlineData("nyud/resnet50/nddr_cnn", 101_591_721L, 22_314_240L)]
    [InlineData("nyud/resnet50/mtan", 72_052_713L, 0L)]
    [InlineData("pascal/resnet18/multi_task_baseline", 34_795_873L, 0L)]
    [InlineData("pascal/resnet18/cross_stitch", 79_525_921L, 24_000L)]
    [InlineData("pascal/resnet18/nddr_cnn", 88_318_561L, 8_816_640L)]
    [InlineData("pascal/resnet18/mtan", 36_613_425L, 0L)]
    public void Build_SurveyConfiguration_HasTheOfficialParametersAndStateDict(string name, long parameters, long fusion)
    {
        var official = Reference.Value.GetProperty("configurations").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        Assert.Equal(parameters, official.GetProperty("total_params").GetInt64());
        Assert.Equal(fusion, official.GetProperty("fusion_params").GetInt64());
        var builder = MultiTaskNet.CreateBuilder()
            .UseBackbone(official.GetProperty("backbone").GetString() == "resnet50" ? Backbones.ResNet50(outputStride: 8) : Backbones.ResNet18(outputStride: 8))
            .UseArchitecture(Architecture(official));
        foreach (var task in official.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()!))
            builder = builder.AddTask(Task(task, official.GetProperty("num_output").GetProperty(task).GetInt32()));
        using var model = builder.Build();
        Assert.Equal(parameters, model.Network.ParameterCount());
        Assert.Equal(fusion, model.Network.ParameterGroups().Where(g => g.Name == "fusion").SelectMany(g => g.Parameters).Sum(p => p.numel()));
        Assert.Equal(official.GetProperty("state_dict_digest").GetString(), PyTorchFixtures.StateDictDigest(model.Network));
    }

    private static IArchitecture Architecture(JsonElement official)
    {
        var head = Heads.DeepLab();
        double Get(string key) => official.GetProperty(key).GetDouble();
        return official.GetProperty("model").GetString() switch
        {
            "multi_task_baseline" => Architectures.HardSharing(head),
            "cross_stitch" => Architectures.CrossStitch(head, Get("alpha"), Get("beta")),
            "nddr_cnn" => Architectures.NddrCnn(head, Get("alpha"), Get("beta")),
            "mtan" => Architectures.Mtan(head),
            var other => throw new ArgumentException(other),
        };
    }

    private static IDenseTask Task(string name, int outputs) => name switch
    {
        "semseg" => DenseTasks.SemanticSegmentation(outputs),
        "depth" => DenseTasks.Depth(),
        "human_parts" => DenseTasks.HumanParts(outputs),
        "sal" => DenseTasks.Saliency(),
        "normals" => DenseTasks.SurfaceNormals(),
        "edge" => DenseTasks.Edges(),
        _ => throw new ArgumentException(name),
    };

    /// <summary>SHA-256 of the sorted "key TAB shape" lines, num_batches_tracked left out (as the fixture script computes it).</summary>
    [Fact]
    public void CrossStitchUnit_MatchesTheOfficialUnit()
    {
        var fixture = Fixture("cross_stitch_unit");
        using var unit = new CrossStitchUnit(PyTorchFixtures.Tasks(fixture), fixture.GetProperty("channels").GetInt32(), 0.9, 0.1);
        AssertTaskOutputs(unit, fixture);
    }

    [Theory]
    [InlineData("nddr_layer_initial")]
    [InlineData("nddr_layer")]
    public void NddrLayer_MatchesTheOfficialLayer(string name)
    {
        var fixture = Fixture(name);
        using var layer = new NddrLayer(PyTorchFixtures.Tasks(fixture), fixture.GetProperty("channels").GetInt32(), fixture.GetProperty("alpha").GetDouble(), fixture.GetProperty("beta").GetDouble());
        if (name == "nddr_layer_initial")     // our own initialisation equals the official one before any copy
            foreach (var (key, value) in State(fixture.GetProperty("state_dict")))
            {
                using var expected = value();
                Assert.True(layer.state_dict()[key].allclose(expected), $"initial {key}");
            }
        AssertTaskOutputs(layer, fixture);
    }

    [Fact]
    public void MtanAttentionBlock_MatchesTheOfficialAttentionAndRefinement()
    {
        var fixture = Fixture("mtan_attention_block");
        int c = fixture.GetProperty("channels").GetInt32(), next = fixture.GetProperty("next_channels").GetInt32();
        using var attention = MtanAttention.Create(2 * c, c / 4, c);
        using var refine = nn.Sequential(new ResNetBottleneck(c, next / 4, project: true));
        PyTorchFixtures.CopyState(attention, State(fixture.GetProperty("attention_state_dict")));
        PyTorchFixtures.CopyState(refine, State(fixture.GetProperty("refine_state_dict")));
        using var scope = NewDisposeScope();
        var mask = attention.call(cat([PyTorchFixtures.ToTensor(fixture.GetProperty("before_last_block")), PyTorchFixtures.ToTensor(fixture.GetProperty("carried"))], 1));
        PyTorchFixtures.AssertClose(PyTorchFixtures.ToTensor(fixture.GetProperty("mask")), mask, "mask");
        var attended = mask * PyTorchFixtures.ToTensor(fixture.GetProperty("last_block"));
        PyTorchFixtures.AssertClose(PyTorchFixtures.ToTensor(fixture.GetProperty("attended")), attended, "attended");
        PyTorchFixtures.AssertClose(PyTorchFixtures.ToTensor(fixture.GetProperty("refined_pooled")), nn.functional.max_pool2d(refine.call(attended), 2, 2, ceil_mode: true), "refined and pooled");
    }

    private static Dictionary<string, Func<Tensor>> State(JsonElement state) =>
        state.EnumerateObject().ToDictionary(p => p.Name, p => (Func<Tensor>)(() => PyTorchFixtures.ToTensor(p.Value)));

    private static void AssertTaskOutputs(nn.Module<IReadOnlyDictionary<string, Tensor>, Dictionary<string, Tensor>> module, JsonElement fixture)
    {
        PyTorchFixtures.CopyState(module, State(fixture.GetProperty("state_dict")));
        using var scope = NewDisposeScope();
        var inputs = PyTorchFixtures.Tasks(fixture).ToDictionary(t => t, t => PyTorchFixtures.ToTensor(fixture.GetProperty("inputs").GetProperty(t)));
        var outputs = module.call(inputs);
        foreach (var task in PyTorchFixtures.Tasks(fixture))
            PyTorchFixtures.AssertClose(PyTorchFixtures.ToTensor(fixture.GetProperty("outputs").GetProperty(task)), outputs[task], $"{module.GetName()}, task {task}");
    }
}
