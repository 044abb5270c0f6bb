using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Training;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.BackboneZoo;

/// <summary>Every entry of <see cref="Backbones.All"/>: the levels published before construction are the maps
/// it produces, gradients reach every parameter, and it trains through the builder with hard sharing.</summary>
[Collection("Torch")]
public sealed class BackboneContractTests
{
    public static TheoryData<string> Names => new(Backbones.All.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Features_BeforeConstruction_EqualProducedShapesAt64(string name)
    {
        var spec = Backbones.All[name];
        Assert.Empty(spec.Validate());
        var promised = spec.Features;
        using var module = spec.Create();
        Assert.Equal(promised.Levels, module.Features.Levels);
        using var scope = NewDisposeScope();
        var maps = module.call(randn(2, 3, 64, 64));
        Assert.Equal(promised.Count, maps.Count);
        for (int i = 0; i < promised.Count; i++)
            Assert.Equal([2L, promised[i].Channels, 64 / promised[i].Stride, 64 / promised[i].Stride], maps[i].shape);
        maps.Select(m => m.square().mean()).Aggregate((a, b) => a + b).backward();
        var missing = module.named_parameters().Where(p => p.parameter.grad is null).Select(p => p.name).ToArray();
        Assert.True(missing.Length == 0, $"{name}: no gradient for {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Build_HardSharing_TrainsOneStep(string name)
    {
        using var train = SyntheticDataset.Create(SyntheticSplit.Train, 2, 64, 64, seed: 4);
        using var validation = SyntheticDataset.Create(SyntheticSplit.Validation, 2, 64, 64, seed: 4);
        using var model = MultiTaskNet.CreateBuilder()
            .UseBackbone(Backbones.All[name])
            .AddTask(DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount))
            .AddTask(DenseTasks.Depth())
            .UseArchitecture(Architectures.HardSharing())
            .WithSeed(1)
            .Build();
        var before = model.Network.parameters().First().detach().clone();
        var history = Trainer.Fit(model, train, validation, new TrainingOptions { Epochs = 1, BatchSize = 2 });
        var step = Assert.Single(history.Steps);
        Assert.True(double.IsFinite(step.TotalLoss), $"{name}: loss {step.TotalLoss}");
        Assert.True((model.Network.parameters().First() - before).abs().max().item<float>() > 0, $"{name}: the first layer did not change");
    }
}
