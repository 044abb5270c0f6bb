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
