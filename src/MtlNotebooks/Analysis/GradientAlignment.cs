using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Analysis;

/// <summary>How much the tasks agree on the shared parameters: the cosine between every two tasks' loss gradients on
/// <see cref="MultiTaskNet.SharedParameters"/>, per batch, averaged over batches. Negative cosines are the conflicting
/// gradients that PCGrad and GradVac act on; tasks that never compete stay near +1. Batch norm runs in evaluation mode, so
/// measuring does not change the network.</summary>
public static class GradientAlignment
{
    /// <summary>One row per pair of tasks (in the model's task order, auxiliary tasks included), with the mean cosine
    /// over the first <paramref name="batches"/> batches of <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than two tasks, no shared parameters, or too few samples for one batch.</exception>
    public static IReadOnlyList<(string First, string Second, double Cosine)> Measure(MultiTaskModel model, IMultiTaskDataset data, int batches = 4, int batchSize = 8)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var tasks = model.AllTasks.Select(t => t.Name).ToArray();
        if (tasks.Length < 2) throw new ArgumentException($"Gradient alignment needs two tasks or more; the model has {tasks.Length}.", nameof(model));
        var shared = model.Network.SharedParameters();
        if (shared.Count == 0) throw new ArgumentException($"'{model.Network.GetName()}' shares no parameters between tasks: there is nothing to align.", nameof(model));
        int count = Math.Min(batches, data.Count / batchSize);
        if (count < 1) throw new ArgumentException($"'{data.Name}' has {data.Count} samples, fewer than one batch of {batchSize}.", nameof(data));

        var sums = new double[tasks.Length, tasks.Length];
        bool training = model.Network.training;
        model.Network.eval();
        try
        {
            for (int b = 0; b < count; b++)
            {
                using var scope = NewDisposeScope();
                using var batch = data.GetBatch([.. Enumerable.Range(b * batchSize, batchSize)]);
                var images = model.Input(batch.Images);
                var labels = new TaskLabels(batch.Labels.Select(kv => new KeyValuePair<string, Tensor>(kv.Key, kv.Value.to(model.Device))));
                var gradients = tasks.Select(t => Gradient(model, shared, images, labels, t)).ToArray();
                for (int i = 0; i < tasks.Length; i++)
                for (int j = i + 1; j < tasks.Length; j++)
                    sums[i, j] += nn.functional.cosine_similarity(gradients[i], gradients[j], dim: 0).item<float>();
            }
        }
        finally
        {
            model.Network.train(training);
        }
        var rows = new List<(string, string, double)>();
        for (int i = 0; i < tasks.Length; i++)
        for (int j = i + 1; j < tasks.Length; j++)
            rows.Add((tasks[i], tasks[j], sums[i, j] / count));
        return rows;
    }

    /// <summary>The mean cosine over all pairs of <see cref="Measure"/>'s rows.</summary>
    public static double MeanCosine(IReadOnlyList<(string First, string Second, double Cosine)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return rows.Count == 0 ? double.NaN : rows.Average(r => r.Cosine);
    }

    /// <summary>One task's loss gradient on the shared parameters, flattened; a parameter the task does not reach counts as zero.</summary>
    private static Tensor Gradient(MultiTaskModel model, IReadOnlyList<TorchSharp.Modules.Parameter> shared, Tensor images, TaskLabels labels, string task)
    {
        var outputs = model.Network.Forward(images, [task]);
        var loss = model.ComputeLosses(outputs, labels, [task])[task];
        var grads = torch.autograd.grad([loss], shared.Cast<Tensor>().ToArray(), retain_graph: false, allow_unused: true);
        return cat(grads.Select((g, k) => g is null || g.IsInvalid ? zeros(shared[k].numel(), device: shared[k].device) : g.flatten()).ToArray());
    }
}
