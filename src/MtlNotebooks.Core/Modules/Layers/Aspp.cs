using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Layers;

/// <summary>Atrous spatial pyramid pooling (DeepLab-v3 §3.3): fields <c>convs</c> (1x1, one per rate, image pooling) and <c>project</c>.</summary>
public sealed class Aspp : Module<Tensor, Tensor>
{
    private readonly ModuleList<Module<Tensor, Tensor>> convs;
    private readonly Sequential project;

    public Aspp(int inChannels, int channels, IReadOnlyList<int> rates) : base(nameof(Aspp))
    {
        convs = new ModuleList<Module<Tensor, Tensor>>();
        convs.Add(Sequential(Ops.Conv2d(inChannels, channels, 1, bias: false), Ops.BatchNorm2d(channels), ReLU()));
        foreach (int rate in rates)
            convs.Add(Sequential(Ops.Conv2d(inChannels, channels, 3, padding: rate, dilation: rate, bias: false), Ops.BatchNorm2d(channels), ReLU()));
        // Image pooling: global average → 1x1 conv-BN-ReLU, resized back in forward. BN over 1x1 maps needs >= 2 images in
        // training, as in PyTorch.
        convs.Add(Sequential(AdaptiveAvgPool2d(1), Ops.Conv2d(inChannels, channels, 1, bias: false), Ops.BatchNorm2d(channels), ReLU()));
        project = Sequential(Ops.Conv2d((rates.Count + 2) * channels, channels, 1, bias: false), Ops.BatchNorm2d(channels), ReLU(), Dropout(0.5));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var branches = convs.Select(c => c.call(input)).ToArray();
        branches[^1] = Resize.To(branches[^1], input.shape[2], input.shape[3]);
        return project.call(cat(branches, 1));
    }
}
