using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Training;

/// <summary>Trains and evaluates a <see cref="MultiTaskModel"/>. The trainer knows no architecture and no balancer:
/// it computes per-task losses, hands them to the balancer (which runs the backward pass) and steps the optimiser.</summary>
public static class Trainer
{
    /// <summary>Trains <paramref name="model"/> for <see cref="TrainingOptions.Epochs"/>, evaluating on
    /// <paramref name="validation"/> after every epoch (<see cref="TrainingRun"/> holds the run's state); refuses with
    /// every problem at once before anything trains.</summary>
    public static TrainingHistory Fit(MultiTaskModel model, IMultiTaskDataset train, IMultiTaskDataset validation, TrainingOptions options)
    {
        var problems = Problems(train, options).ToList();
        problems.AddRange(MissingLabels(model, train));
        problems.AddRange(MissingLabels(model, validation, mainOnly: true));
        problems.AddRange(WrongSize(model, train));
        problems.AddRange(WrongSize(model, validation));
        ThrowIfAny(problems);
        using var run = new TrainingRun(model, train, validation, options);
        return run.Train();
    }

    /// <summary>What keeps <paramref name="options"/> from training on <paramref name="train"/>, whatever the model: the
    /// options' own checks and a data set smaller than one batch. Callers that must refuse before other work (the quick
    /// experiment, before it commits its run folder) ask here rather than at <see cref="Fit"/>.</summary>
    public static IEnumerable<string> Problems(IMultiTaskDataset train, TrainingOptions options)
    {
        foreach (var problem in options.Validate()) yield return problem;
        if (options.BatchSize > 0 && train.Count < options.BatchSize)
            yield return $"Data set '{train.Name}' has {train.Count} samples, fewer than one batch of {options.BatchSize}.";
    }

    /// <summary>A data set whose images a network of one input size (<see cref="MultiTaskNet.InputSize"/>) cannot take.</summary>
    private static IEnumerable<string> WrongSize(MultiTaskModel model, IMultiTaskDataset data)
    {
        if (model.Network.InputSize is { } size && (data.Height, data.Width) != size)
            yield return $"{model.Network.GetName()} takes {size.Height}×{size.Width} images only, but data set '{data.Name}' has " +
                         $"{data.Height}×{data.Width}: build its backbone for that size (e.g. Backbones.VitTiny({data.Height}, {data.Width}, …)) or resize the data.";
    }

    /// <summary>The optimiser groups of <paramref name="model"/>: the network's (<see cref="MultiTaskNet.ParameterGroups"/>)
    /// and the balancer's learnable weights at the scheduled rate; empty groups left out.</summary>
    public static IReadOnlyList<ParameterGroup> ParameterGroups(MultiTaskModel model) =>
        model.Network.ParameterGroups().Append(new ParameterGroup("balancer", model.Balancer.parameters().ToArray()))
            .Where(g => g.Parameters.Count > 0).ToArray();

    /// <summary>Every problem in one exception, as the builder reports them.</summary>
    public static void ThrowIfAny(IReadOnlyCollection<string> problems)
    {
        if (problems.Count > 0)
            throw new ArgumentException("Training cannot start:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)));
    }

    /// <summary>All metrics of every main task over <paramref name="data"/>, in evaluation mode without gradients.</summary>
    public static EvaluationRecord Evaluate(MultiTaskModel model, IMultiTaskDataset data, int batchSize = 32, int epoch = 0, long step = 0)
    {
        var missing = MissingLabels(model, data, mainOnly: true).ToList();
        if (missing.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, missing));
        bool wasTraining = model.Network.training;
        model.Network.eval();
        var accumulators = model.Tasks.ToDictionary(t => t.Name, t => t.Metrics.Select(m => (Metric: m, State: m.CreateAccumulator())).ToArray());
        using (no_grad())
        {
            for (int start = 0; start < data.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var indices = Enumerable.Range(start, Math.Min(batchSize, data.Count - start)).ToArray();
                var batch = data.GetBatch(indices);
                var outputs = model.Network.call(model.Input(batch.Images));
                foreach (var task in model.Tasks)
                {
                    var output = outputs[task.Name].cpu();
                    foreach (var (_, state) in accumulators[task.Name]) state.Update(output, batch.Labels[task.Name]);
                }
            }
        }
        if (wasTraining) model.Network.train();
        return new EvaluationRecord(epoch, step, model.Tasks.SelectMany(task => accumulators[task.Name].Select((a, i) =>
            new MetricValue(task.Name, a.Metric.Name, a.Metric.Direction, i == 0, a.State.Compute()))).ToArray());
    }

    private static IEnumerable<string> MissingLabels(MultiTaskModel model, IMultiTaskDataset data, bool mainOnly = false) =>
        (mainOnly ? model.Tasks : model.AllTasks).Where(t => !data.Tasks.Contains(t.Name)).Select(t =>
            $"Data set '{data.Name}' has no labels for task '{t.Name}'; it provides: {string.Join(", ", data.Tasks)}.");
}
