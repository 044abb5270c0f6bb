using MtlNotebooks.Analysis;
using MtlNotebooks.Data.Synthetic;
using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Analysis;

/// <summary>The cosine between the tasks' gradients on the shared parameters: the value autograd gives on the same
/// batch, measured without changing the network, and refused where nothing is shared.</summary>
[Collection("Torch")]
public sealed class GradientAlignmentTests
{
    private static MultiTaskModel Model(IArchitecture architecture) => MultiTaskNet.CreateBuilder()
        .UseBackbone(Backbones.SmallResNet(4))
        .AddTask(DenseTasks.SemanticSegmentation()).AddTask(DenseTasks.Depth()).AddTask(DenseTasks.SurfaceNormals())
        .UseArchitecture(architecture).WithSeed(3).Build();

    [Fact]
    public void OneBatch_EqualsTheCosineOfTheAutogradGradients()
    {
        using var data = SyntheticDataset.Create(SyntheticSplit.Validation, 4, 32, 32, seed: 1);
        using var model = Model(Architectures.HardSharing());
        model.Network.train();
        var rows = GradientAlignment.Measure(model, data, batches: 1, batchSize: 4);

        Assert.Equal([("semseg", "depth"), ("semseg", "normals"), ("depth", "normals")], rows.Select(r => (r.First, r.Second)));
        using var scope = NewDisposeScope();
        model.Network.eval();
        using var batch = data.GetBatch([0, 1, 2, 3]);
        var shared = model.Network.SharedParameters().Cast<Tensor>().ToArray();
        Tensor Gradient(string task)
        {
            var outputs = model.Network.Forward(batch.Images, [task]);
            var loss = model.ComputeLosses(outputs, batch.Labels, [task])[task];
            return cat(torch.autograd.grad([loss], shared, allow_unused: true).Select(g => g.flatten()).ToArray());
        }
        var g = new[] { "semseg", "depth", "normals" }.ToDictionary(t => t, Gradient);
        double Cos(string a, string b) => nn.functional.cosine_similarity(g[a], g[b], dim: 0).item<float>();
        Assert.Equal(Cos("semseg", "depth"), rows[0].Cosine, 4);
        Assert.Equal(Cos("semseg", "normals"), rows[1].Cosine, 4);
        Assert.Equal(Cos("depth", "normals"), rows[2].Cosine, 4);
        Assert.All(rows, r => Assert.InRange(r.Cosine, -1, 1));
        Assert.Equal(rows.Average(r => r.Cosine), GradientAlignment.MeanCosine(rows), 12);
    }

    [Fact]
    public void Measuring_LeavesTheNetworkAsItWas()
    {
        using var data = SyntheticDataset.Create(SyntheticSplit.Validation, 8, 32, 32, seed: 1);
        using var model = Model(Architectures.HardSharing());
        model.Network.train();
        var before = model.Network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        GradientAlignment.Measure(model, data, batches: 2, batchSize: 4);

        Assert.True(model.Network.training);
        foreach (var (key, value) in model.Network.state_dict())
            Assert.True(before[key].equal(value).all().item<bool>(), $"{key} changed");
        Assert.All(model.Network.parameters(), p => Assert.True(p.grad is null || p.grad.IsInvalid || p.grad.abs().max().item<float>() == 0));
    }

    [Fact]
    public void NothingShared_OrTooFewSamples_IsNamed()
    {
        using var data = SyntheticDataset.Create(SyntheticSplit.Validation, 3, 32, 32, seed: 1);
        using var single = Model(Architectures.SingleTask());
        Assert.Contains("shares no parameters", Assert.Throws<ArgumentException>(() => GradientAlignment.Measure(single, data, 1, 2)).Message);
        using var shared = Model(Architectures.HardSharing());
        var ex = Assert.Throws<ArgumentException>(() => GradientAlignment.Measure(shared, data, 1, 4));
        Assert.Contains("3 samples, fewer than one batch of 4", ex.Message);
    }
}
