using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Modules.SingleTasking;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Sharing;

/// <summary>The shared-parameter seam: what every architecture calls shared is what autograd says the losses of two or
/// more tasks reach, on every backbone family, and measuring it changes nothing in the network.</summary>
[Collection("Torch")]
public sealed class SharedParameterTests : IDisposable
{
    private readonly SyntheticDataset _data = SyntheticDataset.Create(SyntheticSplit.Train, 2, 64, 64, seed: 5);

    public void Dispose() => _data.Dispose();

    private static readonly string[] Families = ["small-resnet", "resnet18", "mobilenet-v2", "hrnet-w18-small"];

    public static TheoryData<string, string> ArchitecturesAndBackbones()
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, architecture) in Architectures.All)
        {
            // A branched search builds its tree from trained baselines (its own tests); skip backbones an architecture refuses.
            if (architecture is MtlNotebooks.Modules.EncoderFocused.BranchedSearch) continue;
            foreach (var backbone in architecture is Astmt ? ["se-resnet26"] : Families)
                if (!architecture.Validate(new ArchitectureContext(Backbones.All[backbone], [DenseTasks.Depth(), DenseTasks.SurfaceNormals()], [])).Any())
                    data.Add(name, backbone);
        }
        // ASTMT's MobileNet-V2 variant has no adapters and groups its ASPP by the decoder width.
        data.Add("astmt-mobilenet", "mobilenet-v2");
        return data;
    }

    private static MultiTaskModel Build(string architecture, string backbone)
    {
        var spec = architecture == "astmt-mobilenet" ? Architectures.Astmt(adapters: false, decoderWidth: 32) : Architectures.All[architecture];
        // MobileNet-V2 without its last 1×1 convolution to 1,280 channels: on that level MTI-Net's coarsest scale alone has
        // 430 million parameters, and the graph's structure, which is all the reach depends on, is the same without it.
        var builder = MultiTaskNet.CreateBuilder()
            .UseBackbone(backbone == "se-resnet26" ? Backbones.SEResNet26(0.125)
                : spec is Astmt ? Backbones.MobileNetV2(0.5)
                : backbone == "mobilenet-v2" ? Backbones.MobileNetV2(0.25, includeLastConv: false) : Backbones.All[backbone])
            .AddTask(DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount))
            .AddTask(DenseTasks.Depth())
            .UseArchitecture(spec)
            .WithSeed(2);
        // An auxiliary task where the architecture takes one: its initial predictions shape what the main tasks distil.
        if (spec is not (Astmt or MtlNotebooks.Modules.Baselines.SingleTask)) builder = builder.AddAuxiliaryTask(DenseTasks.SurfaceNormals());
        return builder.Build();
    }

    /// <summary>Per task, the names of the parameters its loss reaches, from the real losses of one training batch.</summary>
    private Dictionary<string, HashSet<string>> ReachOfLosses(MultiTaskModel model)
    {
        using var scope = NewDisposeScope();
        var named = model.Network.named_parameters().ToArray();
        var batch = _data.GetBatch([0, 1]);
        var labels = new TaskLabels(batch.Labels);
        var reach = new Dictionary<string, HashSet<string>>();
        model.Network.train();
        var all = model.AllTasks.Select(t => t.Name).ToArray();
        foreach (var pass in model.Network.TrainingPasses())
        {
            var outputs = model.Network.Forward(batch.Images, pass);
            var tasks = all.Where(t => outputs.ContainsKey(t) || outputs.Intermediate.Any(p => p.Task == t)).ToArray();
            var losses = model.ComputeLosses(outputs, labels, tasks);
            foreach (var task in losses.Tasks)
            {
                var grads = autograd.grad([losses[task]], named.Select(p => (Tensor)p.parameter).ToArray(), retain_graph: true, allow_unused: true);
                var set = reach.TryGetValue(task, out var known) ? known : reach[task] = [];
                for (int i = 0; i < named.Length; i++)
                    if (grads[i] is { IsInvalid: false }) set.Add(named[i].name);
            }
        }
        return reach;
    }

    private static string[] Names(MultiTaskModel model, IEnumerable<TorchSharp.Modules.Parameter> parameters)
    {
        var byHandle = model.Network.named_parameters().ToDictionary(p => p.parameter.Handle, p => p.name);
        return [.. parameters.Select(p => byHandle[p.Handle])];
    }

    [Theory]
    [MemberData(nameof(ArchitecturesAndBackbones))]
    public void SharedParameters_EqualWhatTheLossesOfTwoOrMoreTasksReach(string architecture, string backbone)
    {
        using var model = Build(architecture, backbone);
        var reach = ReachOfLosses(model);
        var expected = model.Network.named_parameters().Select(p => p.name).Where(n => reach.Values.Count(s => s.Contains(n)) >= 2).ToArray();
        var declared = Names(model, model.Network.SharedParameters());
        Assert.Equal(expected, declared);

        var last = Names(model, model.Network.LastSharedParameters());
        Assert.All(last, n => Assert.Contains(n, declared));
        Assert.Equal(declared.Length > 0, last.Length > 0);
        Assert.Equal(reach.Keys.Order(), model.Network.Reach().ByTask.Keys.Order());
    }

    [Theory]
    [InlineData("small-resnet")]
    [InlineData("hrnet-w18-small")]
    public void PadNet_FusionLayerFeedsEveryTask_IsShared(string backbone)
    {
        using var model = Build("pad-net", backbone);
        var shared = Names(model, model.Network.SharedParameters());
        Assert.Contains("fuse.conv.weight", shared);
        Assert.Contains("fuse.bn.weight", shared);
        Assert.Contains(shared, n => n.StartsWith("backbone.", StringComparison.Ordinal));
        Assert.DoesNotContain(shared, n => n.StartsWith("heads.", StringComparison.Ordinal) || n.StartsWith("initial.", StringComparison.Ordinal));
    }

    [Fact]
    public void SingleTaskBaselines_ShareNothing()
    {
        using var model = Build("single-task", "small-resnet");
        Assert.Empty(model.Network.SharedParameters());
        Assert.Empty(model.Network.LastSharedParameters());
    }

    [Theory]
    [InlineData("pad-net", "small-resnet")]
    [InlineData("astmt", "se-resnet26")]
    public void Reach_LeavesWeightsBuffersFlagsAndRandomStateUnchanged(string architecture, string backbone)
    {
        using var model = Build(architecture, backbone);
        model.Network.eval();
        var frozen = model.Network.named_parameters().First().parameter;
        frozen.requires_grad = false;
        var state = model.Network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        var rng = random.get_rng_state();
        var expectedDraw = rand(8).data<float>().ToArray();
        random.set_rng_state(rng);

        var reach = model.Network.Reach();

        Assert.NotEmpty(reach.Shared);
        Assert.Equal(expectedDraw, rand(8).data<float>().ToArray());
        foreach (var (name, value) in model.Network.state_dict())
            Assert.True(value.detach().eq(state[name]).all().item<bool>(), $"{architecture}: {name} changed");
        Assert.False(model.Network.training);
        Assert.All(model.Network.modules(), m => Assert.False(m.training));
        Assert.False(frozen.requires_grad);
        Assert.Same(reach, model.Network.Reach());    // measured once
    }
}
