namespace MtlNotebooks.Cli;

/// <summary>The network the benchmarks time: the quick run's, a SmallResNet with the tasks of
/// <see cref="DataSetPresets.Synthetic"/>, so benchmark numbers speak for <c>run quick</c>.</summary>
internal static class BenchModels
{
    /// <summary>The quick run's builder with a SmallResNet of <paramref name="width"/>; the caller picks the architecture.</summary>
    public static MultiTaskNetBuilder QuickRun(int width) =>
        DataSetPresets.Synthetic.Tasks.Aggregate(
            MultiTaskNet.CreateBuilder().UseBackbone(Backbones.SmallResNet(width)),
            (builder, task) => builder.AddTask(task));
}
