using static TorchSharp.torch;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>Trained single-task networks' weights, per task a state dict with keys <c>backbone.*</c> and <c>head.*</c>: what
/// cross-stitch networks and NDDR-CNN start their towers from (the survey code initialises both from its single-task models).
/// Copies, so the networks they came from may be disposed.</summary>
public sealed class SingleTaskWeights
{
    private SingleTaskWeights(IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> perTask) => PerTask = perTask;

    /// <summary>Per task its tower's and head's tensors.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> PerTask { get; }

    /// <summary>Copies the towers and heads of single-task networks built by <see cref="Architectures.SingleTask"/> (keys
    /// <c>networks.{task}.backbone.*</c>, <c>networks.{task}.head.*</c>).</summary>
    /// <exception cref="ArgumentException">The network is not backbone + head per task.</exception>
    public static SingleTaskWeights From(MultiTaskNet singleTask)
    {
        ArgumentNullException.ThrowIfNull(singleTask);
        var perTask = new Dictionary<string, IReadOnlyDictionary<string, Tensor>>();
        using (no_grad())
        {
            foreach (var (key, value) in singleTask.state_dict())
            {
                var parts = key.Split('.', 3);
                if (parts is not ["networks", var task, var rest] || !(rest.StartsWith("backbone.", StringComparison.Ordinal) || rest.StartsWith("head.", StringComparison.Ordinal)))
                    throw new ArgumentException($"Single-task weights come from backbone + head per task (Architectures.SingleTask()); '{singleTask.GetName()}' has the tensor '{key}'.", nameof(singleTask));
                if (!perTask.TryGetValue(task, out var state)) perTask[task] = state = new Dictionary<string, Tensor>();
                ((Dictionary<string, Tensor>)state)[rest] = value.detach().clone();
            }
        }
        return new SingleTaskWeights(perTask);
    }
}
