using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Tasks.Metrics;
using MtlNotebooks.Training;

namespace MtlNotebooks.Tests.Training;

/// <summary>A run that diverges without a NaN (losses of 1e13, an RMSE of 4e14) stops, naming the task, the step and the
/// learning rate, or warns when asked to.</summary>
[Collection("Torch")]
public sealed class DivergenceGuardTests : IDisposable
{
    private readonly SyntheticDataset _train = SyntheticDataset.Create(SyntheticSplit.Train, 32, 32, 32, seed: 1);
    private readonly SyntheticDataset _validation = SyntheticDataset.Create(SyntheticSplit.Validation, 8, 32, 32, seed: 1);
    private readonly string _folder = Directory.CreateTempSubdirectory("mtl-diverge-").FullName;

    public void Dispose()
    {
        _train.Dispose();
        _validation.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static StepRecord Step(long step, double depthLoss) =>
        new(1, step, depthLoss, new Dictionary<string, double> { ["semseg"] = 2.0, ["depth"] = depthLoss }, new Dictionary<string, double>(), 0.5);

    [Theory]
    [InlineData(2.0, 1999.0, false)]     // bound 1,000 × 2
    [InlineData(2.0, 2001.0, true)]
    [InlineData(0.001, 999.0, false)]    // a near-zero start is floored at 1: bound 1,000
    [InlineData(0.001, 1001.0, true)]
    [InlineData(2.0, -2001.0, true)]
    public void LossProblem_ComparesWithTheFirstStep(double first, double now, bool diverged)
    {
        var problem = DivergenceGuard.Stop.LossProblem(Step(1, first), Step(9, now));
        Assert.Equal(diverged, problem is not null);
        if (diverged)
        {
            Assert.Contains("task 'depth'", problem);
            Assert.Contains("step 9", problem);
            Assert.Contains("learning rate 0.5", problem);
        }
    }

    [Fact]
    public void MetricProblem_FlagsAMetricBeyondAnySaneRange_ButNotAnUndefinedOne()
    {
        static EvaluationRecord With(double rmse) => new(2, 8, [new MetricValue("depth", "rmse", MetricDirection.LowerIsBetter, true, rmse)]);
        Assert.Null(DivergenceGuard.Stop.MetricProblem(With(0.7), 0.1));
        Assert.Null(DivergenceGuard.Stop.MetricProblem(With(double.NaN), 0.1));
        var problem = DivergenceGuard.Stop.MetricProblem(With(4e14), 1e6);
        Assert.Contains("rmse of task 'depth' is 4e+14 after epoch 2 (learning rate 1e+06)", problem);
        Assert.NotNull(DivergenceGuard.Stop.MetricProblem(With(double.PositiveInfinity), 1e6));
    }

    private static MultiTaskModel Model() => MultiTaskNet.CreateBuilder().UseBackbone(Backbones.SmallResNet(4))
        .AddTask(DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount)).AddTask(DenseTasks.Depth()).AddTask(DenseTasks.SurfaceNormals())
        .WithSeed(7).Build();

    private static TrainingOptions HugeLearningRate => new() { Epochs = 2, BatchSize = 8, Seed = 2, Optimizer = Optimizers.Adam(1e6) };

    [Fact]
    public void Fit_HugeLearningRate_StopsNamingTaskStepAndLearningRate()
    {
        using var model = Model();
        var error = Assert.Throws<TrainingDivergedException>(() => Trainer.Fit(model, _train, _validation, HugeLearningRate));
        Assert.Matches(@"task '\w+'", error.Message);
        Assert.Contains("training diverged", error.Message);
        Assert.Matches(@"learning rate [0-9.e+]+", error.Message);
    }

    [Fact]
    public void Fit_WarnOnly_TrainsOn_AndRecordsTheWarning()
    {
        using var model = Model();
        var history = Trainer.Fit(model, _train, _validation, HugeLearningRate with { Divergence = DivergenceGuard.Warn });
        Assert.Equal(8, history.Steps.Count);
        Assert.Contains(history.Warnings, w => w.Contains("training diverged"));
    }

    [Fact]
    public void Fit_AHealthyRun_HasNoWarning()
    {
        using var model = Model();
        var history = Trainer.Fit(model, _train, _validation, HugeLearningRate with { Optimizer = Optimizers.Sgd(0.02), Divergence = DivergenceGuard.Warn });
        Assert.Empty(history.Warnings);
    }

    [Fact]
    public void Options_BadGuard_IsNamed() =>
        Assert.Contains("TrainingOptions.Divergence: DivergenceGuard.MaxLossGrowth must be greater than 1, got 0.5.",
            new TrainingOptions { Divergence = DivergenceGuard.Stop with { MaxLossGrowth = 0.5 } }.Validate());

    [Fact]
    public void RunQuick_HugeLearningRate_ExitsNonZero()
    {
        var (exit, output, error) = CliOutput.Run("run", "quick", "--tiny", "--lr", "1e6", "--output", Path.Combine(_folder, "run"));
        Assert.True(exit == 1, output + error);
        Assert.Contains("training diverged", error);
    }
}
