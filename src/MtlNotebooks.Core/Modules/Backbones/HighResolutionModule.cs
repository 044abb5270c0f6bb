using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Modules.Heads;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>One HRNet module: per branch a sequence of basic blocks, then every output is the ReLU of the sum over all
/// branches brought to its resolution — finer ones by 3x3 stride-2 conv-BN chains (ReLU except the last), coarser ones
/// by 1x1 conv-BN and bilinear upsampling. Fields branches, fuse_layers as the reference.</summary>
internal sealed class HighResolutionModule : Module<Tensor[], Tensor[]>
{
    private readonly ModuleList<Sequential> branches;
    private readonly ModuleList<ModuleDict<Module<Tensor, Tensor>>> fuse_layers;
    private readonly ReLU relu;

    public HighResolutionModule(IReadOnlyList<int> channels, int blocksPerBranch, double bnMomentum = 0.01) : base(nameof(HighResolutionModule))
    {
        int n = channels.Count;
        branches = new ModuleList<Sequential>();
        for (int i = 0; i < n; i++)
            branches.Add(Sequential(Enumerable.Range(0, blocksPerBranch)
                .Select(_ => (Module<Tensor, Tensor>)new ResNetBasicBlock(channels[i], channels[i], bnMomentum: bnMomentum)).ToList()));
        fuse_layers = new ModuleList<ModuleDict<Module<Tensor, Tensor>>>();
        for (int i = 0; i < n; i++)
        {
            var fuse = new ModuleDict<Module<Tensor, Tensor>>();
            for (int j = 0; j < n; j++)
            {
                if (j > i)
                    fuse.Add($"{j}", Sequential(Ops.Conv2d(channels[j], channels[i], 1, bias: false), Ops.BatchNorm2d(channels[i], momentum: bnMomentum)));
                else if (j < i)
                {
                    var chain = new List<Module<Tensor, Tensor>>();
                    for (int k = 0; k < i - j; k++)
                    {
                        bool last = k == i - j - 1;
                        int outC = last ? channels[i] : channels[j];
                        var conv = Ops.Conv2d(channels[j], outC, 3, stride: 2, padding: 1, bias: false);
                        chain.Add(last
                            ? Sequential(conv, Ops.BatchNorm2d(outC, momentum: bnMomentum))
                            : Sequential(conv, Ops.BatchNorm2d(outC, momentum: bnMomentum), ReLU()));
                    }
                    fuse.Add($"{j}", Sequential(chain));
                }
            }
            fuse_layers.Add(fuse);
        }
        relu = ReLU();
        RegisterComponents();
    }

    public override Tensor[] forward(Tensor[] input)
    {
        var x = new Tensor[input.Length];
        for (int i = 0; i < x.Length; i++) x[i] = branches[i].call(input[i]);
        var fused = new Tensor[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            var y = i == 0 ? x[0] : fuse_layers[i]["0"].call(x[0]);
            for (int j = 1; j < x.Length; j++)
            {
                if (j == i) y = y.add(x[j], One);
                else if (j > i) y = y.add(Resize.To(fuse_layers[i][$"{j}"].call(x[j]), x[i].shape[2], x[i].shape[3]), One);
                else y = y.add(fuse_layers[i][$"{j}"].call(x[j]), One);
            }
            fused[i] = relu.call(y);
        }
        return fused;
    }
}
