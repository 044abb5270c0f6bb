using MtlNotebooks.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Runtime;

/// <summary>The library's optimisers step exactly as TorchSharp's: the same arithmetic in the same order, bit for bit, over
/// steps with weight decay, two learning-rate groups, momentum and Nesterov; only their scalars live longer.</summary>
[Collection("Torch")]
public sealed class OptimizerStepTests
{
    private static (Parameter[] Ours, Parameter[] Theirs) Twins()
    {
        manual_seed(3);
        var values = new[] { randn(4, 3), randn(5) };
        return (values.Select(v => new Parameter(v.clone())).ToArray(), values.Select(v => new Parameter(v.clone())).ToArray());
    }

    private static void Run(OptimizerHelper ours, Parameter[] a, OptimizerHelper theirs, Parameter[] b)
    {
        for (int step = 0; step < 6; step++)
        {
            manual_seed(10 + step);
            var gradients = a.Select(p => randn(p.shape)).ToArray();
            foreach (var (parameters, optimizer) in new[] { (a, ours), (b, theirs) })
            {
                optimizer.zero_grad();
                for (int i = 0; i < parameters.Length; i++)
                {
                    // The second parameter skips step 3: a parameter without a gradient keeps its state.
                    if (i == 1 && step == 3) continue;
                    (parameters[i] * gradients[i]).sum().backward();
                }
                optimizer.step();
            }
        }
        foreach (var (x, y) in a.Zip(b)) Assert.True(x.equal(y).all().item<bool>(), "parameters differ");
    }

    [Fact]
    public void Adam_StepsBitForBitAsTorchSharpsAdam()
    {
        var (a, b) = Twins();
        var ours = new MtlNotebooks.Training.Adam(2e-3, 1e-4).Create([new ParameterGroup("x", [a[0]]), new ParameterGroup("y", [a[1]], 10)]);
        var theirs = optim.Adam([
            new TorchSharp.Modules.Adam.ParamGroup([b[0]], new TorchSharp.Modules.Adam.Options { LearningRate = 2e-3, weight_decay = 1e-4 }),
            new TorchSharp.Modules.Adam.ParamGroup([b[1]], new TorchSharp.Modules.Adam.Options { LearningRate = 2e-2, weight_decay = 1e-4 })], 2e-3, weight_decay: 1e-4);
        Run(ours, a, theirs, b);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sgd_StepsBitForBitAsTorchSharpsSgd(bool nesterov)
    {
        var (a, b) = Twins();
        var ours = new Sgd(0.05, 0.9, 1e-4, nesterov).Create([new ParameterGroup("x", [a[0]]), new ParameterGroup("y", [a[1]], 10)]);
        var theirs = optim.SGD([
            new SGD.ParamGroup([b[0]], new SGD.Options { LearningRate = 0.05, momentum = 0.9, weight_decay = 1e-4, nesterov = nesterov }),
            new SGD.ParamGroup([b[1]], new SGD.Options { LearningRate = 0.5, momentum = 0.9, weight_decay = 1e-4, nesterov = nesterov })],
            0.05, momentum: 0.9, weight_decay: 1e-4, nesterov: nesterov);
        Run(ours, a, theirs, b);
    }
}
