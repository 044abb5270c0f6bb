using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Modules.Heads;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Baselines;

/// <summary>The single-task baselines that Δm is measured against (ASTMT eq. 4, survey eq. 10): one complete
/// network (own backbone, own head) per task. Held in one module so they train on the same batches in one run;
/// because no parameter is shared and the optimisers act per parameter, this equals training them separately.</summary>
public sealed class SingleTaskModule : MultiTaskNet
{
    private readonly ModuleDict<nn.Module<Tensor, Tensor>> networks;

    public SingleTaskModule(IReadOnlyDictionary<string, (Backbone Backbone, nn.Module<FeatureMaps, Tensor> Head)> perTask)
        : base(nameof(SingleTaskModule), perTask.Keys.ToArray())
    {
        networks = new ModuleDict<nn.Module<Tensor, Tensor>>();
        foreach (var task in Tasks) networks.Add(task, new SingleTaskNetwork(perTask[task].Backbone, perTask[task].Head));
        RegisterComponents();
    }

    public override TaskOutputs forward(Tensor image) => TaskOutputs.From(Tasks, task => networks[task].call(image));

    /// <summary>The backbone of <paramref name="task"/>'s network (what representation similarity analysis probes).</summary>
    public Backbone Backbone(string task) => ((SingleTaskNetwork)networks[task]).Encoder;

    /// <summary>Backbone + head for one task, output resized to the input.</summary>
    private sealed class SingleTaskNetwork : nn.Module<Tensor, Tensor>
    {
        private readonly Backbone backbone;
        private readonly nn.Module<FeatureMaps, Tensor> head;

        public SingleTaskNetwork(Backbone backbone, nn.Module<FeatureMaps, Tensor> head) : base(nameof(SingleTaskNetwork))
        {
            this.backbone = backbone;
            this.head = head;
            RegisterComponents();
        }

        public Backbone Encoder => backbone;

        public override Tensor forward(Tensor image) =>
            Resize.To(head.call(backbone.call(image)), image.shape[2], image.shape[3]);
    }
}
