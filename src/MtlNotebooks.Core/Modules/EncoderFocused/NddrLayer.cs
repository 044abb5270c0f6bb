using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>An NDDR layer (Gao et al. 2019; survey §2.2.2): per task a 1x1 conv over the concatenated task features (T·C → C,
/// no bias), BN and ReLU — discriminative dimensionality reduction. The conv starts as α·I on the task's own block and
/// β·I on the others (α·x_t + β·Σ others before BN). Keys <c>layer.{task}.0/1</c> as the survey code.</summary>
public sealed class NddrLayer : Module<IReadOnlyDictionary<string, Tensor>, Dictionary<string, Tensor>>
{
    private readonly ModuleDict<Sequential> layer;
    private readonly string[] _tasks;

    /// <summary>Layers for <paramref name="tasks"/> over <paramref name="channels"/> each, initialised <paramref name="alpha"/>·I / <paramref name="beta"/>·I;
    /// BN momentum <paramref name="momentum"/> (0.05 as the NDDR-CNN code and the survey code).</summary>
    public NddrLayer(IReadOnlyList<string> tasks, int channels, double alpha, double beta, double momentum = 0.05) : base(nameof(NddrLayer))
    {
        _tasks = [.. tasks];
        layer = new ModuleDict<Sequential>();
        for (int i = 0; i < _tasks.Length; i++)
        {
            var conv = Ops.Conv2d(_tasks.Length * channels, channels, 1, bias: false);
            var bn = Ops.BatchNorm2d(channels, momentum: momentum);
            using (no_grad())
            {
                using Scalar own = alpha, other = beta;
                var identity = eye(channels);
                conv.weight.copy_(cat(Enumerable.Range(0, _tasks.Length).Select(j => identity.mul(i == j ? own : other)).ToArray(), 1)
                    .view(channels, _tasks.Length * channels, 1, 1));
                init.ones_(bn.weight);
                init.zeros_(bn.bias);
            }
            layer.Add(_tasks[i], Sequential(conv, bn, ReLU()));
        }
        RegisterComponents();
    }

    /// <summary>Task <paramref name="task"/>'s 1x1 conv weight [C, T·C, 1, 1].</summary>
    public Parameter ConvWeight(string task) => ((Conv2d)layer[task].children().First()).weight;

    public override Dictionary<string, Tensor> forward(IReadOnlyDictionary<string, Tensor> x)
    {
        var joined = cat(_tasks.Select(t => x[t]).ToArray(), 1);   // the tasks' order, as the survey code
        return _tasks.ToDictionary(t => t, t => layer[t].call(joined));
    }
}
