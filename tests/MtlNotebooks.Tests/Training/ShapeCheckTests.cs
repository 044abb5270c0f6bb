using MtlNotebooks.Data;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Training;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Training;

/// <summary>A label of the wrong rank or dtype, or a head with the wrong channel count, is named (task, expected and
/// actual shape) at the first loss instead of broadcasting into garbage or ending in a libtorch dump.</summary>
[Collection("Torch")]
public sealed class ShapeCheckTests : IDisposable
{
    private readonly SyntheticDataset _train = SyntheticDataset.Create(SyntheticSplit.Train, 16, 32, 32, seed: 1);
    private readonly SyntheticDataset _validation = SyntheticDataset.Create(SyntheticSplit.Validation, 8, 32, 32, seed: 1);

    public void Dispose()
    {
        _train.Dispose();
        _validation.Dispose();
    }

    private static MultiTaskNetBuilder Builder(IHead? head = null) => MultiTaskNet.CreateBuilder()
        .UseBackbone(Backbones.SmallResNet(4))
        .AddTask(DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount))
        .AddTask(DenseTasks.Depth())
        .UseArchitecture(Architectures.HardSharing(head ?? Heads.Conv()));

    private static TrainingOptions Options => new() { Epochs = 1, BatchSize = 8 };

    [Theory]
    [InlineData("depth", "squeeze", "Task 'depth': its label does not fit the loss: expected [B, 1, H, W], got Float32 [8, 32, 32]")]
    [InlineData("semseg", "float", "Task 'semseg': its label does not fit the loss: expected integer [B, H, W] class indices, got Float32 [8, 32, 32]")]
    [InlineData("semseg", "unsqueeze", "Task 'semseg': its label does not fit the loss: expected integer [B, H, W] class indices, got Int64 [8, 1, 32, 32]")]
    [InlineData("depth", "unsqueeze", "Task 'depth': its label does not fit the loss: expected [B, 1, H, W], got Float32 [8, 1, 1, 32, 32]")]
    public void Fit_LabelOfWrongRankOrDtype_NamesTaskExpectedAndActual(string task, string damage, string expected)
    {
        using var model = Builder().Build();
        using var broken = new DamagedLabels(_train, task, damage);
        var error = Assert.Throws<ArgumentException>(() => Trainer.Fit(model, broken, _validation, Options));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Fit_IntegerLabelsWhereTheLossTakesThem_Train()
    {
        // uint8 class maps (as PNGs decode) and integer depth are valid: the check must not reject what the losses accept.
        using var model = Builder().Build();
        using var bytes = new DamagedLabels(_train, "semseg", "byte");
        Trainer.Fit(model, bytes, _validation, Options);
        using var other = Builder().Build();
        using var integerDepth = new DamagedLabels(_train, "depth", "long");
        Trainer.Fit(other, integerDepth, _validation, Options);
    }

    [Fact]
    public void Fit_HeadWithWrongChannelCount_NamesTheTaskAndShapes()
    {
        using var model = Builder(new TwoChannelHead()).Build();
        var error = Assert.Throws<ArgumentException>(() => Trainer.Fit(model, _train, _validation, Options));
        Assert.Contains("Task 'semseg': the output should be [B, 5, H, W], but the network returned [8, 2, 32, 32]", error.Message);
    }

    /// <summary>A user's head that ignores the channel count it is asked for.</summary>
    private sealed record TwoChannelHead : IHead
    {
        public string Name => "two channels";
        public nn.Module<FeatureMaps, Tensor> Create(HeadContext context) => new Module(context.Features[0].Channels);

        private sealed class Module : nn.Module<FeatureMaps, Tensor>
        {
            private readonly TorchSharp.Modules.Conv2d conv;
            public Module(int channels) : base("two") { conv = nn.Conv2d(channels, 2, 1); RegisterComponents(); }
            public override Tensor forward(FeatureMaps maps) => conv.call(maps[0]);
        }
    }

    /// <summary>The synthetic labels of one task changed in rank or dtype, as a loader with a bug would deliver them.</summary>
    private sealed class DamagedLabels(IMultiTaskDataset inner, string task, string damage) : IMultiTaskDataset, IDisposable
    {
        public string Name => inner.Name;
        public int Count => inner.Count;
        public int Height => inner.Height;
        public int Width => inner.Width;
        public IReadOnlyList<string> Tasks => inner.Tasks;

        public MultiTaskBatch GetBatch(IReadOnlyList<int> indices)
        {
            var batch = inner.GetBatch(indices);
            var labels = batch.Labels.ToDictionary(kv => kv.Key, kv => kv.Key != task ? kv.Value : damage switch
            {
                "squeeze" => kv.Value.squeeze(1),
                "unsqueeze" => kv.Value.unsqueeze(1),
                "float" => kv.Value.to(ScalarType.Float32),
                "long" => kv.Value.to(ScalarType.Int64),
                "byte" => kv.Value.to(ScalarType.Byte),
                _ => throw new ArgumentOutOfRangeException(nameof(damage)),
            });
            return new MultiTaskBatch(batch.Images, new TaskLabels(labels));
        }

        public void Dispose() { }
    }
}
