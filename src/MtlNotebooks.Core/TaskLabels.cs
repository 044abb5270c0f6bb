using System.Collections;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>Per-task labels of a batch keyed by task name.</summary>
public sealed class TaskLabels : TaskTensors
{
    public TaskLabels(IEnumerable<KeyValuePair<string, Tensor>> values) : base(values) { }
    protected override string Kind => "label";
}
