using System.IO.Compression;
using System.Text.Json;
using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Modules.DecoderFocused;
using MtlNotebooks.Weights;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.DecoderFocused;

/// <summary>TaskPrompter against its official code (Fixtures/make_taskprompter_fixtures.py: TaskPrompterWrapper at width 32,
/// E 16, F 24, three tasks, with and without cross-task reweighting): the same keys, the same outputs within 1e-4; the
/// official configurations' parameter counts and state dicts (make_invpt_reference.py); and the architecture as a user meets it.</summary>
[Collection("Torch")]
public sealed class TaskPrompterTests
{
    private sealed record Config(int Channel_Heads, bool Cross_Task_Reweighting, Dictionary<string, PyTorchFixtures.StoredTensor> State, string[] Keys,
        PyTorchFixtures.StoredTensor Input, Dictionary<string, PyTorchFixtures.StoredTensor> Outputs, long Parameters);

    private sealed record Fixture(string Torch, string[] Tasks, Dictionary<string, int> Outputs_Per_Task, Dictionary<string, Config> Configs);

    private static readonly Fixture Reference = PyTorchFixtures.Load<Fixture>("taskprompter_outputs_reference.json.gz");

    private static readonly TransformerLayout SmallLayout = new(Width: 32, Depth: 4, Heads: 2, PatchSize: 8, ImageHeight: 64, ImageWidth: 64, TappedBlocks: [1, 2, 3]);

    private static TaskPrompterOptions Options(int channelHeads = 4, bool reweighting = true, IReadOnlyList<string>? auxiliary = null, TransformerLayout? layout = null)
    {
        var tasks = auxiliary is null ? Reference.Tasks : Reference.Tasks.Except(auxiliary).ToArray();
        return new(tasks, Reference.Outputs_Per_Task, auxiliary ?? [], layout ?? SmallLayout, EmbedDim: 16, FinalEmbedDim: 24,
            ChannelHeads: channelHeads, CrossTaskReweighting: reweighting);
    }

    [Theory]
    [InlineData("reweighting")]   // four 4×4 channel windows, cross-task reweighting (as the PASCAL-Context configurations)
    [InlineData("plain")]         // one window, no reweighting (as NYUD's)
    public void OfficialTaskPrompter_SameWeights_GivesItsOutputs(string name)
    {
        var config = Reference.Configs[name];
        using var model = new TaskPrompterModule(Options(config.Channel_Heads, config.Cross_Task_Reweighting));
        Assert.Equal(config.Parameters, model.parameters().Sum(p => p.numel()));
        Assert.Equal(config.Keys.Order(StringComparer.Ordinal), model.state_dict().Keys.Order(StringComparer.Ordinal));
        PyTorchFixtures.CopyState(model, config.State.ToDictionary(e => e.Key, e => (Func<Tensor>)e.Value.ToTensor));
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();

        var outputs = model.call(config.Input.ToTensor());

        foreach (var task in Reference.Tasks)
            PyTorchFixtures.AssertClose(config.Outputs[task].ToTensor(), outputs[task], $"TaskPrompter ({name}) output {task}");
    }

    [Theory]
    [InlineData("taskprompter/pascal/vitL")]   // official: PASCAL-Context's five tasks at 512×512, E 300, F 350, one window, reweighting
    [InlineData("taskprompter/nyud/vitB")]     // the NYUD configuration on ViT-B/16 (the constructor exists, no configuration): 448×576, 16 windows
    public void OfficialConfiguration_HasItsParameterCountAndStateDict(string name)
    {
        using var file = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "invpt_reference.json.gz"));
        using var json = JsonDocument.Parse(new GZipStream(file, CompressionMode.Decompress));
        var config = json.RootElement.GetProperty("configs").GetProperty(name);
        var tasks = config.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()!).ToArray();
        var outputs = config.GetProperty("num_outputs").EnumerateObject().ToDictionary(o => o.Name, o => o.Value.GetInt32());
        var (height, width) = (config.GetProperty("image_size")[0].GetInt32(), config.GetProperty("image_size")[1].GetInt32());
        var settings = config.GetProperty("settings");
        var vit = name.EndsWith("vitL", StringComparison.Ordinal) ? Backbones.VitLarge(height, width) : Backbones.VitBase(height, width);

        using var model = new TaskPrompterModule(new TaskPrompterOptions(tasks, outputs, [], vit.Layout,
            settings.GetProperty("embed_dim").GetInt32(), settings.GetProperty("final_embed_dim").GetInt32(),
            settings.GetProperty("chan_nheads").GetInt32(), settings.GetProperty("use_ctr").GetBoolean()));

        Assert.Equal(config.GetProperty("total_params").GetInt64(), model.parameters().Sum(p => p.numel()));
        var theirs = config.GetProperty("state_dict").EnumerateArray()
            .Select(e => $"{e[0].GetString()} [{string.Join(", ", e[1].EnumerateArray().Select(d => d.GetInt64()))}]").Order(StringComparer.Ordinal);
        var ours = model.state_dict().Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}]").Order(StringComparer.Ordinal);
        Assert.Equal(theirs, ours);
    }

    [Fact]
    public void Training_ReachesEveryParameterButTheLastBlocksPromptUpdate()
    {
        // The last block's prompt update feeds nothing (the official code gets an exactly-zero gradient there; here none).
        using var model = new TaskPrompterModule(Options(auxiliary: ["normals"]));
        model.train();
        var outputs = model.call(randn(2, 3, 64, 64));
        Assert.Equal(["semseg", "depth"], outputs.Tasks);
        var auxiliary = Assert.Single(outputs.Intermediate);
        Assert.Equal(("normals", TaskPrompterModule.AuxiliaryName), (auxiliary.Task, auxiliary.Name));
        Assert.Equal([2L, 3, 64, 64], auxiliary.Output.shape);
        var total = outputs.Values.Append(auxiliary.Output).Select(o => o.sum()).Aggregate((a, b) => a + b);
        total.backward();

        var unused = model.named_parameters().Where(p => p.parameter.grad is null).Select(p => p.name).Order(StringComparer.Ordinal);

        Assert.Equal(["backbone.blocks.3.attn.token_trans1.bias", "backbone.blocks.3.attn.token_trans1.weight"], unused);
    }

    [Fact]
    public void PromptAttention_EveryBlock_IsADistributionOverThePrompts_FromTheOfficialScores()
    {
        var config = Reference.Configs["reweighting"];
        using var model = new TaskPrompterModule(Options());
        PyTorchFixtures.CopyState(model, config.State.ToDictionary(e => e.Key, e => (Func<Tensor>)e.Value.ToTensor));
        model.eval();
        using var scope = NewDisposeScope();

        var attention = model.PromptAttention(config.Input.ToTensor());

        Assert.Equal([4L, 3, 3], attention.shape);
        PyTorchFixtures.AssertClose(ones(4, 3), attention.sum(-1), "rows sum to one");
        Assert.True(attention.min().item<float>() > 0);
        // Not uniform: the prompts are told apart by their (official) weights.
        Assert.True((attention - 1.0 / 3).abs().max().item<float>() > 1e-3);
    }

    [Fact]
    public void AnImageOfAnotherSize_IsRefusedNamingTheSizeItWasBuiltFor()
    {
        using var model = new TaskPrompterModule(Options());

        var error = Assert.Throws<ArgumentException>(() => model.call(randn(1, 3, 64, 48)));

        Assert.Contains("built for 64×64 images", error.Message);
        Assert.Contains("got [1, 3, 64, 48]", error.Message);
    }

    [Fact]
    public void Fit_OnScenesOfAnotherSize_IsRefusedBeforeTraining_NamingBothSizes()
    {
        using var model = MultiTaskNet.CreateBuilder().UseBackbone(Backbones.VitTiny(64, patchSize: 8, widthMultiplier: 0.125))
            .AddTask(DenseTasks.Depth()).UseArchitecture(Architectures.TaskPrompter(16, 24, 4)).Build();
        using var train = MtlNotebooks.Data.Synthetic.SyntheticDataset.Create(MtlNotebooks.Data.Synthetic.SyntheticSplit.Train, 4, 32, 32, seed: 1);

        var error = Assert.Throws<ArgumentException>(() => MtlNotebooks.Training.Trainer.Fit(model, train, train, new() { Epochs = 1, BatchSize = 2 }));

        Assert.Contains("takes 64×64 images only", error.Message);
        Assert.Contains("has 32×32", error.Message);
    }

    [Fact]
    public void Build_OnABackboneThatIsNoViT_OrWithWindowsThatDoNotFit_NamesEveryProblem()
    {
        var notVit = Assert.Throws<BuildException>(() => MultiTaskNet.CreateBuilder().UseBackbone(Backbones.SmallResNet(8))
            .AddTask(DenseTasks.Depth()).UseArchitecture(Architectures.TaskPrompter()).Build());
        Assert.Contains("'SmallResNet", Assert.Single(notVit.Problems));
        Assert.Contains("is not one", notVit.Problems[0]);

        var problems = Options(channelHeads: 9, layout: SmallLayout with { TappedBlocks = [2, 4] }).Validate("TaskPrompter").ToArray();
        Assert.Equal(
        [
            "TaskPrompter: reads three tapped blocks and the normed output (ViT-L: blocks 6, 12, 18); the ViT taps [2, 4] of its 4 blocks. Tap three distinct blocks, ascending.",
            "TaskPrompter: 9 channel windows cut the 8×8 patch grid into 3×3 windows, so 3 must divide both sides.",
        ], problems);
    }

    [Fact]
    public void ATimmFile_InitialisesTheTransformer_ItsEmbeddingResizedWithTheClassSlot_ThePromptingKept()
    {
        var folder = Directory.CreateTempSubdirectory("mtl-taskprompter-");
        try
        {
            // A timm ViT of the same width and depth made for 32×32 images (4×4 grid, class token, classifier).
            using var source = new VisionTransformerModule(new(EmbedDim: 32, Depth: 4, Heads: 2, PatchSize: 8, ImageHeight: 32, ImageWidth: 32, Taps: [1, 2, 3]));
            var path = Path.Combine(folder.FullName, "vit.safetensors");
            var tensors = source.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
            using var head = randn(10, 32);
            tensors["head.weight"] = head;
            StateDictFile.Write(path, tensors);
            random.manual_seed(1);
            using var fresh = new TaskPrompterModule(Options());
            random.manual_seed(1);

            using var loaded = new TaskPrompterModule(Options(), path);

            var state = loaded.state_dict();
            using var expected = MtlNotebooks.Modules.Layers.PositionEmbeddings.Resize(source.state_dict()["pos_embed"], 4, 4, 8, 8, classToken: true);
            PyTorchFixtures.AssertClose(expected, state["backbone.pos_embed"], "pos_embed resized on load, class slot kept");
            PyTorchFixtures.AssertClose(source.state_dict()["blocks.2.attn.qkv.weight"], state["backbone.blocks.2.attn.qkv.weight"], "a block's weight");
            Assert.Equal(0f, (state["backbone.task_prompts"] - fresh.state_dict()["backbone.task_prompts"]).abs().max().item<float>(), 0);

            var broken = Assert.Throws<InvalidDataException>(() => new TaskPrompterModule(Options(layout: SmallLayout with { Width = 16, Heads = 2 }), path));
            Assert.Contains("wrong shape: patch_embed.proj.weight", broken.Message);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
