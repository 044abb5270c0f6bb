using MtlNotebooks.Analysis;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Runtime;
using MtlNotebooks.Training;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Training;

/// <summary>What the speed work rests on: channels-last layout changes the memory order, not the model (outputs equal up to
/// float rounding, checkpoints interchangeable); the step profile accounts for every phase; and no architecture leaves
/// tensors alive from step to step.</summary>
[Collection("Torch")]
public sealed class PerformanceSwitchTests : IDisposable
{
    private readonly SyntheticDataset _train = SyntheticDataset.Create(SyntheticSplit.Train, 12, 32, 32, seed: 6);
    private readonly SyntheticDataset _validation = SyntheticDataset.Create(SyntheticSplit.Validation, 4, 32, 32, seed: 6);

    public void Dispose()
    {
        _train.Dispose();
        _validation.Dispose();
    }

    private static MultiTaskNetBuilder Builder(IArchitecture? architecture = null) => DataSetPresets.Synthetic.Tasks
        .Aggregate(MultiTaskNet.CreateBuilder().UseBackbone(((architecture ?? Architectures.HardSharing()) as IPreferredBackbone)?.DefaultBackbone(4, 32, 32) ?? Backbones.SmallResNet(4)),
            (b, t) => b.AddTask(t))
        .UseArchitecture(architecture ?? Architectures.HardSharing())
        .WithSeed(2);

    [Fact]
    public void ChannelsLast_KeepsValuesAndShape_ChangesOnlyTheStrides()
    {
        using var x = arange(2 * 3 * 4 * 5, dtype: float32).reshape(2, 3, 4, 5);
        using var y = MemoryLayout.ChannelsLast(x);
        Assert.Equal(x.shape, y.shape);
        Assert.Equal([60L, 1, 15, 3], y.stride());
        Assert.True(MemoryLayout.IsChannelsLast(y));
        Assert.False(MemoryLayout.IsChannelsLast(x));
        Assert.True(x.equal(y).all().item<bool>());
        using var vector = ones(5);
        Assert.Same(vector, MemoryLayout.ChannelsLast(vector));
    }

    [Fact]
    public void WithChannelsLast_SameOutputsToRounding_CheckpointsInterchangeable()
    {
        using var plain = Builder().Build();
        using var fast = Builder().WithChannelsLast().Build();
        Assert.True(fast.ChannelsLast);
        Assert.Equal(plain.Network.ParameterCount(), fast.Network.ParameterCount());

        plain.Network.eval();
        fast.Network.eval();
        using var images = randn(2, 3, 32, 32);
        using (no_grad())
        {
            Assert.False(MemoryLayout.IsChannelsLast(plain.Input(images)));
            Assert.True(MemoryLayout.IsChannelsLast(fast.Input(images)));
            var expected = plain.Network.call(plain.Input(images));
            var actual = fast.Network.call(fast.Input(images));
            foreach (var task in expected.Tasks)
                Assert.True(expected[task].allclose(actual[task], rtol: 1e-4, atol: 1e-5), $"{task} differs beyond rounding");
        }

        // A channels-last model's checkpoint restores a contiguous model: the same weights, the same metrics to rounding.
        var folder = Directory.CreateTempSubdirectory("mtl-layout-").FullName;
        try
        {
            var options = new TrainingOptions { Epochs = 1, BatchSize = 4, Seed = 2, CheckpointPath = Path.Combine(folder, "fast.ckpt") };
            Trainer.Fit(fast, _train, _validation, options);
            using var restored = Builder().Build();
            Trainer.Fit(restored, _train, _validation, options with { CheckpointPath = null, ResumeFrom = options.CheckpointPath });
            var expected = Trainer.Evaluate(fast, _validation).Metrics.Select(m => m.Value).ToList();
            var actual = Trainer.Evaluate(restored, _validation).Metrics.Select(m => m.Value).ToList();
            Assert.Equal(expected.Count, actual.Count);
            foreach (var (e, a) in expected.Zip(actual)) Assert.True(Math.Abs(e - a) <= 1e-4 * Math.Max(1, Math.Abs(e)), $"{e} vs {a}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Profile_AccountsForEveryPhaseOfEveryStep_AndEachModulesForward()
    {
        using var model = Builder().Build();
        var profile = new StepProfile();
        using (profile.Attach(model.Network))
            Trainer.Fit(model, _train, _validation, new TrainingOptions { Epochs = 1, BatchSize = 4, Profile = profile });

        Assert.Equal(3, profile.Steps);
        var phases = profile.PhaseTable();
        Assert.Equal([StepProfile.Data, StepProfile.ForwardPhase, StepProfile.Loss, StepProfile.BackwardPhase, StepProfile.Optimizer, StepProfile.Evaluation],
            phases.Columns["phase"].Cast<string>());
        Assert.All(Enumerable.Range(0, 6), r => Assert.True((double)phases.Columns["ms per step"][r] > 0));
        Assert.Equal(100, Enumerable.Range(0, 5).Sum(r => (double)phases.Columns["share of step (%)"][r]), 6);
        var modules = profile.ModuleTable().Columns["module"].Cast<string>().ToList();
        Assert.Contains("backbone", modules);
        Assert.Contains("heads.depth", modules);

        // Detached: further training adds no module time; Reset forgets the phases.
        var before = (double)profile.ModuleTable().Columns["forward ms per step"][0] * profile.Steps;
        Trainer.Fit(model, _train, _validation, new TrainingOptions { Epochs = 1, BatchSize = 4, Profile = profile });
        Assert.Equal(6, profile.Steps);
        Assert.Equal(before, (double)profile.ModuleTable().Columns["forward ms per step"][0] * profile.Steps, 6);
        profile.Reset();
        Assert.Equal(0, profile.Steps);
        Assert.Equal(0, profile.PhaseTable().Rows.Count);
    }

    public static TheoryData<string> ArchitectureKeys() => [.. Architectures.All.Keys];

    [Theory]
    [MemberData(nameof(ArchitectureKeys))]
    public void Fit_EveryArchitecture_LeavesNoTensorAliveFromStepToStep(string key)
    {
        var architecture = Architectures.All[key];
        if (architecture is MtlNotebooks.Modules.EncoderFocused.BranchedSearch search)
        {
            using var baselines = Builder(Architectures.SingleTask()).Build();
            using var images = randn(4, 3, 32, 32);
            architecture = search.AfterBaselines(baselines.Network, images);
        }
        using var model = Builder(architecture).Build();
        var live = new List<long>();
        Trainer.Fit(model, _train, _validation, new TrainingOptions { Epochs = 2, BatchSize = 2, Progress = new Recorder(_ => live.Add(Tensor.TotalCount)) });
        Assert.Equal(12, live.Count);
        // After the second step every buffer the optimiser keeps exists; from then on the count may not grow, across the
        // evaluation between the epochs too.
        Assert.True(live[^1] <= live[1], $"{key}: live tensors went from {live[1]} after step 2 to {live[^1]} after step 12");
    }

    private sealed class Recorder(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }
}
