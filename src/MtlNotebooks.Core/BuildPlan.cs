using System.Collections.Immutable;
using System.Runtime.InteropServices;
using MtlNotebooks.Balancing;
using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>The validated, resolved configuration of a model; renders as a readable table.</summary>
public sealed record BuildPlan(
    IReadOnlyList<string> Problems,
    IBackbone? Backbone,
    IReadOnlyList<IDenseTask> Tasks,
    IReadOnlyList<IDenseTask> AuxiliaryTasks,
    IArchitecture Architecture,
    ILossBalancer Balancer,
    int Seed,
    string Device)
{
    public bool IsValid => Problems.Count == 0;

    public void ThrowIfInvalid()
    {
        if (!IsValid) throw new BuildException(Problems);
    }

    public override string ToString()
    {
        var text = new System.Text.StringBuilder();
        if (!IsValid) text.AppendLine(BuildException.Format(Problems));
        text.AppendLine($"Architecture  {Architecture.Name}");
        text.AppendLine($"Backbone      {Backbone?.Name ?? "(invalid or missing)"}");
        if (Backbone is not null)
            foreach (var level in Backbone.Features.Levels)
                text.AppendLine($"  {level.Name,-10} {level.Channels,5} ch   stride {level.Stride,3}");
        foreach (var task in Tasks)
            text.AppendLine($"Task          {task.Name,-12} {task.OutputChannels,3} ch   loss {task.Loss.Name}; metrics {string.Join(", ", task.Metrics.Select(m => $"{m.Name} {(m.Direction == MetricDirection.HigherIsBetter ? "↑" : "↓")}"))}");
        foreach (var task in AuxiliaryTasks)
            text.AppendLine($"Auxiliary     {task.Name,-12} {task.OutputChannels,3} ch   loss {task.Loss.Name}");
        text.AppendLine($"Balancer      {Balancer.Name}");
        text.Append($"Seed {Seed}, device {Device}");
        return text.ToString();
    }
}
