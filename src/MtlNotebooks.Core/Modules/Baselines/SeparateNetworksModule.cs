using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Baselines;

/// <summary>Single-task baselines of any architecture: one complete network per task, each built for that task alone
/// (ASTMT's #T = 1 rows). Trained in one run on the same batches; nothing is shared, so this equals separate training.</summary>
public sealed class SeparateNetworksModule : MultiTaskNet
{
    private readonly ModuleDict<MultiTaskNet> networks;

    public SeparateNetworksModule(IReadOnlyDictionary<string, MultiTaskNet> perTask) : base(nameof(SeparateNetworksModule), perTask.Keys.ToArray())
    {
        networks = new ModuleDict<MultiTaskNet>();
        foreach (var task in Tasks) networks.Add(task, perTask[task]);
        RegisterComponents();
    }

    /// <summary>The network of <paramref name="task"/>.</summary>
    public MultiTaskNet this[string task] => networks[task];

    public override TaskOutputs forward(Tensor image) => Forward(image, Tasks);

    public override TaskOutputs Forward(Tensor image, IReadOnlyList<string> tasks) =>
        TaskOutputs.From(tasks, task => networks[task].Forward(image, [task])[task]);

    /// <summary>Each network's own groups, merged by name (their scales agree: each network has one task).</summary>
    public override IReadOnlyList<ParameterGroup> ParameterGroups() => Tasks
        .SelectMany(t => networks[t].ParameterGroups())
        .GroupBy(g => (g.Name, g.LearningRateScale))
        .Select(g => new ParameterGroup(g.Key.Name, [.. g.SelectMany(x => x.Parameters)], g.Key.LearningRateScale))
        .ToArray();
}
