using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>The projection shortcut: 1x1 conv (<c>process</c>) then batch norm shared or per task (<c>norm</c>).</summary>
public sealed class AstmtDownsample : Module<Tensor, Tensor>
{
    private readonly Conv2d process;
    private readonly Module<Tensor, Tensor> norm;

    public AstmtDownsample(Conv2d process, Module<Tensor, Tensor> norm) : base(nameof(AstmtDownsample))
    {
        this.process = process;
        this.norm = norm;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => norm.call(process.call(input));
}
