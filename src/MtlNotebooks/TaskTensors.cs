using System.Collections;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>Tensors keyed by task name, in the order the tasks were added to the builder.
/// The indexer names the known tasks when a key is missing.</summary>
public abstract class TaskTensors : IReadOnlyDictionary<string, Tensor>
{
    private readonly string[] _tasks;
    private readonly Dictionary<string, Tensor> _values;

    protected TaskTensors(IEnumerable<KeyValuePair<string, Tensor>> values)
    {
        var list = values.ToList();
        _tasks = list.Select(kv => kv.Key).ToArray();
        _values = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (task, tensor) in list)
        {
            if (!_values.TryAdd(task, tensor))
                throw new ArgumentException($"Task '{task}' appears twice.", nameof(values));
        }
    }

    /// <summary>Task names in builder order.</summary>
    public IReadOnlyList<string> Tasks => _tasks;

    public Tensor this[string task] => _values.TryGetValue(task, out var t)
        ? t
        : throw new KeyNotFoundException($"No {Kind} for task '{task}'; known: {string.Join(", ", _tasks)}.");

    protected abstract string Kind { get; }
    public IEnumerable<string> Keys => _tasks;
    public IEnumerable<Tensor> Values => _tasks.Select(t => _values[t]);
    public int Count => _tasks.Length;
    public bool ContainsKey(string key) => _values.ContainsKey(key);
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Tensor value) => _values.TryGetValue(key, out value);
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => _tasks.Select(t => new KeyValuePair<string, Tensor>(t, _values[t])).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A network's predictions (raw outputs before the task's activation), keyed by task name, plus any intermediate
/// predictions that are supervised too (MTI-Net's initial predictions at every scale, PAD-Net's initial predictions).</summary>
public sealed class TaskOutputs : TaskTensors
{
    public TaskOutputs(IEnumerable<KeyValuePair<string, Tensor>> values, IEnumerable<IntermediatePrediction>? intermediate = null)
        : base(values) => Intermediate = intermediate?.ToArray() ?? [];

    public static TaskOutputs From(IEnumerable<string> tasks, Func<string, Tensor> select, IEnumerable<IntermediatePrediction>? intermediate = null) =>
        new(tasks.Select(t => new KeyValuePair<string, Tensor>(t, select(t))), intermediate);

    /// <summary>Deep-supervision outputs: each is resized to the label and adds its task's loss with the same weight
    /// as the final output (MTI-Net §3.2; the reference code adds them unweighted).</summary>
    public IReadOnlyList<IntermediatePrediction> Intermediate { get; }

    protected override string Kind => "output";
}

/// <summary>An intermediate prediction of <paramref name="Task"/> (e.g. <c>initial@stride8</c>) at its own resolution.</summary>
public sealed record IntermediatePrediction(string Task, string Name, Tensor Output);

/// <summary>Per-task scalar losses keyed by task name: the only thing balancers see of the tasks.</summary>
public sealed class TaskLosses : TaskTensors
{
    public TaskLosses(IEnumerable<KeyValuePair<string, Tensor>> values) : base(values) { }
    public static TaskLosses From(IEnumerable<string> tasks, Func<string, Tensor> select) =>
        new(tasks.Select(t => new KeyValuePair<string, Tensor>(t, select(t))));
    protected override string Kind => "loss";

    /// <summary>The losses as a 1-D tensor [T] in task order.</summary>
    public Tensor Stack() => stack(Values.ToArray());
}

/// <summary>Per-task labels of a batch keyed by task name.</summary>
public sealed class TaskLabels : TaskTensors
{
    public TaskLabels(IEnumerable<KeyValuePair<string, Tensor>> values) : base(values) { }
    protected override string Kind => "label";
}
