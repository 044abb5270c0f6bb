using System.IO.Compression;
using System.Text.Json;
using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Modules.DecoderFocused;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.DecoderFocused;

/// <summary>InvPT against its official code (Fixtures/make_invpt_fixtures.py: TransformerNet on the code's own ViT, at
/// width 32 with a decoder of 24/12/6 channels, three tasks): the same keys in the same order, the same outputs and
/// preliminary predictions within 1e-4; and the architecture as a user meets it.</summary>
[Collection("Torch")]
public sealed class InvPTTests
{
    private sealed record Fixture(string Torch, string[] Tasks, Dictionary<string, int> Outputs_Per_Task, Dictionary<string, PyTorchFixtures.StoredTensor> State,
        string[] Keys, PyTorchFixtures.StoredTensor Input, Dictionary<string, PyTorchFixtures.StoredTensor> Outputs, Dictionary<string, PyTorchFixtures.StoredTensor> Preliminary, long Parameters);

    private static readonly Fixture Reference = PyTorchFixtures.Load<Fixture>("invpt_outputs_reference.json");

    private static InvPTModule ReferenceModel() => new(
        new VisionTransformerModule(new(EmbedDim: 32, Depth: 4, Heads: 2, PatchSize: 8, ImageHeight: 64, ImageWidth: 64, Taps: [1, 2, 3])),
        new InvPTOptions(Reference.Tasks, Reference.Outputs_Per_Task, [], EmbedDim: 16, PredictionChannels: 8, Heads: 2));

    [Fact]
    public void OfficialInvPT_SameWeights_GivesItsOutputsAndPreliminaryPredictions()
    {
        using var model = ReferenceModel();
        Assert.Equal(Reference.Parameters, model.parameters().Sum(p => p.numel()));
        Assert.Equal(Reference.Keys.Order(StringComparer.Ordinal), model.state_dict().Keys.Order(StringComparer.Ordinal));
        PyTorchFixtures.CopyState(model, Reference.State.ToDictionary(e => e.Key, e => (Func<Tensor>)e.Value.ToTensor));
        using var scope = NewDisposeScope();
        using var _ = no_grad();

        var outputs = model.call(Reference.Input.ToTensor());

        foreach (var task in Reference.Tasks)
        {
            PyTorchFixtures.AssertClose(Reference.Outputs[task].ToTensor(), outputs[task], $"InvPT output {task}");
            var preliminary = outputs.Intermediate.Single(p => p.Task == task);
            Assert.Equal(InvPTModule.PreliminaryName, preliminary.Name);
            PyTorchFixtures.AssertClose(Reference.Preliminary[task].ToTensor(), preliminary.Output, $"InvPT preliminary {task}");
        }
    }

    [Theory]
    [InlineData("invpt/pascal/vitL")]   // an official configuration (PASCAL-Context's five tasks at 512×512)
    [InlineData("invpt/nyud/vitB")]     // the same code on ViT-B/16 (no official ViT-B configuration), NYUD at 448×576
    public void OfficialConfiguration_HasItsParameterCountAndStateDict(string name)
    {
        // Fixtures/invpt_reference.json.gz: the official get_model's state dicts (make_invpt_reference.py).
        using var file = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "invpt_reference.json.gz"));
        using var json = JsonDocument.Parse(new GZipStream(file, CompressionMode.Decompress));
        var config = json.RootElement.GetProperty("configs").GetProperty(name);
        var tasks = config.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()!).ToArray();
        var outputs = config.GetProperty("num_outputs").EnumerateObject().ToDictionary(o => o.Name, o => o.Value.GetInt32());
        var (height, width) = (config.GetProperty("image_size")[0].GetInt32(), config.GetProperty("image_size")[1].GetInt32());
        var settings = config.GetProperty("settings");
        var vit = name.EndsWith("vitL", StringComparison.Ordinal) ? Backbones.VitLarge(height, width) : Backbones.VitBase(height, width);

        using var model = new InvPTModule(vit.Create(), new InvPTOptions(tasks, outputs, [],
            settings.GetProperty("embed_dim").GetInt32(), settings.GetProperty("PRED_OUT_NUM_CONSTANT").GetInt32()));

        Assert.Equal(config.GetProperty("total_params").GetInt64(), model.parameters().Sum(p => p.numel()));
        var theirs = config.GetProperty("state_dict").EnumerateArray()
            .Select(e => $"{e[0].GetString()} [{string.Join(", ", e[1].EnumerateArray().Select(d => d.GetInt64()))}]").Order(StringComparer.Ordinal);
        var ours = model.state_dict().Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}]").Order(StringComparer.Ordinal);
        Assert.Equal(theirs, ours);
    }

    [Fact]
    public void Training_ReachesEveryParameterTheOfficialForwardUses()
    {
        // The official model holds parameters its forward never uses; ours holds the same ones, and only those get no gradient.
        using var model = ReferenceModel();
        model.train();
        var outputs = model.call(randn(2, 3, 64, 64));
        var total = outputs.Values.Concat(outputs.Intermediate.Select(p => p.Output)).Select(o => o.sum()).Aggregate((a, b) => a + b);
        total.backward();

        var unused = model.named_parameters().Where(p => p.parameter.grad is null).Select(p => p.name).ToArray();

        string[] expected =
        [
            "multi_task_decoder.invpt.norm_mt.weight", "multi_task_decoder.invpt.norm_mt.bias",
            "multi_task_decoder.invpt.redu_chan.0.0.weight", "multi_task_decoder.invpt.redu_chan.0.0.bias",
            "multi_task_decoder.invpt.redu_chan.0.1.weight", "multi_task_decoder.invpt.redu_chan.0.1.bias",
            "multi_task_decoder.invpt.redu_chan.0.2.weight", "multi_task_decoder.invpt.redu_chan.0.2.bias",
            "multi_task_decoder.invpt.invpt_stages.0.blocks.0.attn.fuse_attn.weight", "multi_task_decoder.invpt.invpt_stages.0.blocks.0.attn.fuse_attn.bias",
            "multi_task_decoder.scale_embed.2.weight", "multi_task_decoder.scale_embed.2.bias",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), unused.Order(StringComparer.Ordinal));
    }
}
