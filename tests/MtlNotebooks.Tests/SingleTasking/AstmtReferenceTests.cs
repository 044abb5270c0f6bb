using System.Text.Json;
using MtlNotebooks.Modules.SingleTasking;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.SingleTasking;

/// <summary>ASTMT against the official code (Fixtures/make_astmt_fixtures.py builds facebookresearch/astmt under Debian's
/// PyTorch): every configuration of Table 3 and Fig. 5 has the official parameter count and state-dict keys and shapes;
/// the task-specific SE, the bottleneck with adapters and per-task batch norm, the decoder, the MobileNet block, the
/// discriminator and the double-backprop discriminator loss give the official outputs and gradients within 1e-4.</summary>
[Collection("Torch")]
public sealed class AstmtReferenceTests
{
    private static readonly Lazy<JsonElement> Reference = new(() => PyTorchFixtures.Json("astmt_reference.json"));

    private static JsonElement Fixture(string name) => Reference.Value.GetProperty("fixtures").GetProperty(name);

    public static TheoryData<string> Configurations()
    {
        var data = new TheoryData<string>();
        foreach (var c in AllConfigurations()) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    /// <summary>PASCAL's (edge, semseg, human parts, normals, saliency) and NYUD's (edge, semseg, normals, depth) configurations.</summary>
    private static IEnumerable<JsonElement> AllConfigurations() =>
        Reference.Value.GetProperty("configurations").EnumerateArray().Concat(Reference.Value.GetProperty("nyud_configurations").EnumerateArray());

    private static IDenseTask Task(string name, int outputs) => name switch
    {
        "edge" => DenseTasks.Edges(),
        "semseg" => DenseTasks.SemanticSegmentation(outputs),
        "depth" => DenseTasks.Depth(),
        "human_parts" => DenseTasks.HumanParts(7),
        "normals" => DenseTasks.SurfaceNormals(),
        "sal" => DenseTasks.Saliency(),
        _ => throw new ArgumentException(name),
    };

    /// <summary>The official code's switches of a configuration as our spec.</summary>
    private static Astmt Spec(string variant)
    {
        bool adversarial = variant.EndsWith("_adv", StringComparison.Ordinal);
        string v = adversarial ? variant[..^4] : variant;
        return v switch
        {
            _ when v.StartsWith("single_task_", StringComparison.Ordinal) => new(false, false, false, Adversarial: false),
            "mtl_baseline" => new(false, false, false, Adversarial: adversarial),
            "mtl_baseline_frozen_bn" => new(false, false, false, TaskBatchNorm: false, Adversarial: adversarial),
            "se_enc" => new(true, false, false, Adversarial: adversarial),
            "se_dec" => new(false, true, false, Adversarial: adversarial),
            "se_enc_dec" => new(true, true, false, Adversarial: adversarial),
            "ra" => new(false, false, true, Adversarial: adversarial),
            "se_ra" => new(true, true, true, Adversarial: adversarial),
            _ => throw new ArgumentException($"No spec for the official variant '{variant}'."),
        };
    }

    private static IBackbone Backbone(string name) => name switch
    {
        "se_resnet26" => Backbones.SEResNet26(),
        "se_resnet50" => Backbones.SEResNet50(),
        "se_resnet101" => Backbones.SEResNet101(),
        "se_mobilenet_v2" => Backbones.MobileNetV2(),
        _ => throw new ArgumentException(name),
    };

    /// <summary>SHA-256 of the sorted "key TAB shape" lines, num_batches_tracked left out (as the fixture script computes it).</summary>
    [Theory]
    [MemberData(nameof(Configurations))]
    public void Build_EveryOfficialConfiguration_HasItsParameterCountAndStateDict(string name)
    {
        var official = AllConfigurations().Single(c => c.GetProperty("name").GetString() == name);
        var switches = official.GetProperty("switches");
        var builder = MultiTaskNet.CreateBuilder()
            .UseBackbone(Backbone(official.GetProperty("backbone").GetString()!.Replace("nyud/", "", StringComparison.Ordinal)))
            .UseArchitecture(Spec(official.GetProperty("variant").GetString()!) with
            {
                DiscriminatorKernel = switches.TryGetProperty("dscrk", out var k) ? k.GetInt32() : 1,
            });
        foreach (var task in official.GetProperty("tasks").EnumerateArray())
            builder = builder.AddTask(Task(task.GetString()!, official.GetProperty("num_output").GetProperty(task.GetString()!).GetInt32()));
        using var model = builder.Build();
        var discriminator = model.Network.named_parameters().Where(p => p.name.StartsWith("discriminator.", StringComparison.Ordinal)).Sum(p => p.parameter.numel());
        Assert.Equal(official.GetProperty("total_params").GetInt64(), model.Network.parameters().Sum(p => p.numel()));
        Assert.Equal(official.GetProperty("discriminator_params").GetInt64(), discriminator);
        if (official.TryGetProperty("state_dict", out var stateDict) && stateDict.ValueKind == JsonValueKind.Array)
        {
            var keys = official.GetProperty("state_dict").EnumerateArray()
                .Where(e => e[2].GetString() != "alias" && !e[0].GetString()!.EndsWith("num_batches_tracked", StringComparison.Ordinal))
                .Select(e => e[0].GetString()!).Order(StringComparer.Ordinal);
            Assert.Equal(keys, model.Network.state_dict().Keys.Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        }
        if (official.TryGetProperty("state_dict_digest", out var digest))      // NYUD's configurations record counts only
            Assert.Equal(digest.GetString(), PyTorchFixtures.StateDictDigest(model.Network));
    }

    [Fact]
    public void TaskSqueezeExcitation_MatchesTheOfficialLayer()
    {
        var fixture = Fixture("se_layer");
        var active = new ActiveTask();
        using var se = new TaskSqueezeExcitation(32, 16, PyTorchFixtures.Tasks(fixture), active);
        AssertOutputsPerTask(se, active, fixture);
    }

    [Theory]
    [InlineData("bottleneck", 64, 1, false)]
    [InlineData("bottleneck_downsample", 32, 2, true)]
    public void Bottleneck_WithTaskSqueezeAdaptersAndTaskNorm_MatchesTheOfficialBlock(string name, int inChannels, int stride, bool project)
    {
        var fixture = Fixture(name);
        var active = new ActiveTask();
        var layers = new AstmtEncoderLayers(PyTorchFixtures.Tasks(fixture), active, SqueezeExcitation: true, TaskSqueeze: true, TaskNorm: true, Adapters: true);
        using var block = new AstmtBottleneck(inChannels, 16, stride, 1, project, layers);
        AssertOutputsPerTask(block, active, fixture);
    }

    [Fact]
    public void DecoderUnits_DilatedAndImagePooling_MatchTheOfficialUnits()
    {
        var units = Fixture("decoder_units").EnumerateArray().ToArray();
        var active = new ActiveTask();
        var style = new TaskConvStyle(PyTorchFixtures.Tasks(units[0]), active, TaskSqueeze: true, TaskNorm: true, Adapters: true, MobileNet: false);
        using var dilated = new TaskConv([nn.Conv2d(16, 32, 3, padding: 2, dilation: 2, bias: false)], style);
        AssertOutputsPerTask(dilated, active, units[0]);
        using var pooling = new TaskConv([nn.AdaptiveAvgPool2d(1), nn.Conv2d(16, 32, 1, bias: false)], style, adapters: false);
        AssertOutputsPerTask(pooling, active, units[1]);
    }

    [Fact]
    public void Decoder_MatchesTheOfficialDecoderOutputsAndFeatures()
    {
        var fixture = Fixture("decoder");
        var active = new ActiveTask();
        var tasks = PyTorchFixtures.Tasks(fixture);
        var style = new TaskConvStyle(tasks, active, TaskSqueeze: true, TaskNorm: true, Adapters: true, MobileNet: false);
        using var decoder = new AstmtDecoder(4, 8, new Dictionary<string, int> { ["edge"] = 1, ["semseg"] = 5 }, 32, [1, 2, 3], style);
        PyTorchFixtures.CopyState(decoder, State(fixture));
        using var scope = NewDisposeScope();
        foreach (var task in tasks)
        {
            active.Set(task);
            var (output, features) = decoder.call(PyTorchFixtures.ToTensor(fixture.GetProperty("input_low")), PyTorchFixtures.ToTensor(fixture.GetProperty("input_high")));
            PyTorchFixtures.AssertClose(PyTorchFixtures.ToTensor(fixture.GetProperty("outputs").GetProperty(task)), output, $"decoder output, {task}");
            PyTorchFixtures.AssertClose(PyTorchFixtures.ToTensor(fixture.GetProperty("features").GetProperty(task)), features, $"decoder features, {task}");
        }
    }

    [Fact]
    public void MobileNetBlock_MatchesTheOfficialInvertedResidual()
    {
        var fixture = Fixture("mnet_inverted_residual");
        var active = new ActiveTask();
        var layers = new AstmtEncoderLayers(PyTorchFixtures.Tasks(fixture), active, SqueezeExcitation: true, TaskSqueeze: true, TaskNorm: true, Adapters: false, Reduction: 4);
        using var block = new AstmtInvertedResidual(16, 16, 1, 6, 1, layers);
        AssertOutputsPerTask(block, active, fixture);
    }

    [Fact]
    public void Discriminator_MatchesTheOfficialFullyConvolutionalDiscriminator()
    {
        var fixture = Fixture("discriminator");
        using var discriminator = new GradientDiscriminator(64, 5);
        PyTorchFixtures.CopyState(discriminator, State(fixture));
        using var scope = NewDisposeScope();
        PyTorchFixtures.AssertClose(PyTorchFixtures.ToTensor(fixture.GetProperty("output")), discriminator.call(PyTorchFixtures.ToTensor(fixture.GetProperty("input"))), "discriminator");
    }

    /// <summary>The official compute_losses on a tiny graph x → producer (1x1) → f → normals classifier: the task loss's
    /// gradient at f taken with a graph, normalised per pixel, reversed with α = 0.5, the discriminator's cross-entropy,
    /// and the gradients of (1 − w_d)·L_task + w_d·L_D reaching every parameter through the second-order path.</summary>
    [Fact]
    public void DiscriminatorLoss_DoubleBackprop_MatchesTheOfficialLossesAndGradients()
    {
        var fixture = Fixture("gradient_reversal");
        var c = fixture.GetProperty("cases").GetProperty("normals");
        var w = fixture.GetProperty("weights");
        Tensor Weight(string key) => PyTorchFixtures.ToTensor(w.GetProperty(key)).requires_grad_(true);
        using var scope = NewDisposeScope();
        var (pw, pb, cw, cb) = (Weight("producer.weight"), Weight("producer.bias"), Weight("classifier.normals.weight"), Weight("classifier.normals.bias"));
        using var discriminator = new GradientDiscriminator(8, 2);
        PyTorchFixtures.CopyState(discriminator, w.EnumerateObject().Where(p => p.Name.StartsWith("discriminator.", StringComparison.Ordinal))
            .ToDictionary(p => p.Name["discriminator.".Length..], p => (Func<Tensor>)(() => PyTorchFixtures.ToTensor(p.Value))));

        var f = nn.functional.conv2d(PyTorchFixtures.ToTensor(fixture.GetProperty("input")), pw, pb);
        PyTorchFixtures.AssertClose(PyTorchFixtures.ToTensor(c.GetProperty("f")), f, "f");
        var output = nn.functional.conv2d(f, cw, cb);
        // The official NormalsLoss: L2-normalised prediction, L1 over valid elements (label ≠ 255), divided by their count.
        var gt = PyTorchFixtures.ToTensor(c.GetProperty("gt"));
        var valid = gt.ne(255);
        var normalised = output / linalg.vector_norm(output, 2, [1], keepdim: true).clamp_min(1e-12);
        var l1 = where(valid, (normalised - gt).abs(), zeros_like(gt)).sum() / valid.sum();
        var taskLoss = l1 * c.GetProperty("loss_mult").GetDouble();
        Assert.Equal(c.GetProperty("loss_task_weighted").GetDouble(), taskLoss.item<float>(), 4);

        double alpha = fixture.GetProperty("alpha").GetDouble();
        var input = GradientDiscriminator.TaskGradient(taskLoss, f, alpha);
        PyTorchFixtures.AssertClose(PyTorchFixtures.ToTensor(c.GetProperty("discriminator_input")), input, "normalised gradient");
        var logits = discriminator.call(input);
        PyTorchFixtures.AssertClose(PyTorchFixtures.ToTensor(c.GetProperty("discriminator_logits")), logits, "discriminator logits");
        // The code's labels come after NormalsLoss has overwritten the 255s: every pixel carries the task index.
        var target = GradientDiscriminator.Target(PyTorchFixtures.ToTensor(c.GetProperty("gt_after_criterion")), 1, 4, 4);
        Assert.True(PyTorchFixtures.ToTensor(c.GetProperty("task_labels")).to(ScalarType.Int64).eq(target).all().item<bool>());
        var discriminatorLoss = nn.functional.cross_entropy(logits, target, ignore_index: 255);
        Assert.Equal(c.GetProperty("loss_dscr").GetDouble(), discriminatorLoss.item<float>(), 4);

        double wd = fixture.GetProperty("dscr_w").GetDouble();
        var total = (1 - wd) * taskLoss + wd * discriminatorLoss;
        Assert.Equal(c.GetProperty("total_loss").GetDouble(), total.item<float>(), 4);
        var parameters = new[] { pw, pb, cw, cb }.Concat(discriminator.parameters()).ToArray();
        var gradients = autograd.grad([total], parameters);
        var expected = c.GetProperty("grads_of_total_loss");
        string[] names = ["producer.weight", "producer.bias", "classifier.weight", "classifier.bias",
            "discriminator.model.0.weight", "discriminator.model.2.weight", "discriminator.model.2.bias"];
        foreach (var (name, gradient) in names.Zip(gradients))
            PyTorchFixtures.AssertClose(PyTorchFixtures.ToTensor(expected.GetProperty(name)), gradient, $"gradient of the total loss w.r.t. {name}");
    }

    private static Dictionary<string, Func<Tensor>> State(JsonElement fixture) => fixture.GetProperty("state_dict").EnumerateObject()
        .Where(p => !p.Name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
        .ToDictionary(p => p.Name, p => (Func<Tensor>)(() => PyTorchFixtures.ToTensor(p.Value.GetProperty("data"))));

    private static void AssertOutputsPerTask(nn.Module<Tensor, Tensor> module, ActiveTask active, JsonElement fixture)
    {
        PyTorchFixtures.CopyState(module, State(fixture));
        using var scope = NewDisposeScope();
        var input = PyTorchFixtures.ToTensor(fixture.GetProperty("input"));
        foreach (var task in PyTorchFixtures.Tasks(fixture))
        {
            active.Set(task);
            PyTorchFixtures.AssertClose(PyTorchFixtures.ToTensor(fixture.GetProperty("outputs").GetProperty(task)), module.call(input), $"{module.GetName()}, task {task}");
        }
    }

    /// <summary>A float32 tensor from nested JSON arrays (or a number).</summary>
}
