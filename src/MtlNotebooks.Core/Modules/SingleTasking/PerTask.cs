using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>One copy of a layer per task, run for the <see cref="ActiveTask"/> only: ASTMT's task-specific SE blocks,
/// residual adapters, batch norms and classifiers. Children are registered under the task names, so state-dict keys read
/// <c>bn1.semseg.weight</c> as in the official code's <c>nn.ModuleDict</c>.</summary>
public sealed class PerTask : nn.Module<Tensor, Tensor>
{
    private readonly Dictionary<string, nn.Module<Tensor, Tensor>> _layers = new(StringComparer.Ordinal);
    private readonly ActiveTask _active;

    public PerTask(IReadOnlyList<string> tasks, ActiveTask active, Func<string, nn.Module<Tensor, Tensor>> create) : base(nameof(PerTask))
    {
        _active = active;
        foreach (var task in tasks)
        {
            var layer = create(task);
            _layers.Add(task, layer);
            register_module(task, layer);
        }
    }

    public IReadOnlyList<string> Tasks => [.. _layers.Keys];

    /// <summary>The copy of <paramref name="task"/>.</summary>
    public nn.Module<Tensor, Tensor> this[string task] => _layers.TryGetValue(task, out var layer)
        ? layer
        : throw new KeyNotFoundException($"No task-specific layer for task '{task}'; this layer has {string.Join(", ", _layers.Keys)}.");

    public override Tensor forward(Tensor input) => this[_active.Name].call(input);
}
