using MtlNotebooks.Modules.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Layers;

/// <summary>ResNet's basic block: two 3x3 conv-BN, identity or 1x1 projection shortcut, ReLU after the sum.</summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly ConvBnAct conv1;
    private readonly ConvBnAct conv2;
    private readonly Module<Tensor, Tensor>? downsample;

    public BasicBlock(int inChannels, int outChannels, int stride = 1) : base(nameof(BasicBlock))
    {
        conv1 = new ConvBnAct(inChannels, outChannels, 3, stride);
        conv2 = new ConvBnAct(outChannels, outChannels, 3, activation: false);
        if (stride != 1 || inChannels != outChannels)
            downsample = new ConvBnAct(inChannels, outChannels, 1, stride, activation: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var shortcut = downsample is null ? input : downsample.call(input);
        return functional.relu(conv2.call(conv1.call(input)) + shortcut);
    }
}
