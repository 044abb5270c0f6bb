using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>How a decoder's <see cref="TaskConv"/> units are made under ASTMT's switches.</summary>
/// <param name="Tasks">Every task, in order.</param>
/// <param name="Active">The task of the current forward pass.</param>
/// <param name="TaskSqueeze">Per-task SE after every unit (the code's <c>sedec</c>).</param>
/// <param name="TaskNorm">Per-task batch norm in every unit (the code ties it to <c>sedec</c>).</param>
/// <param name="Adapters">A residual adapter per task beside every unit's conv (the code's <c>adapt</c>).</param>
/// <param name="MobileNet">The MobileNet variant (appendix): ReLU6 and SE reduction 4 everywhere.</param>
public sealed record TaskConvStyle(IReadOnlyList<string> Tasks, ActiveTask Active, bool TaskSqueeze, bool TaskNorm, bool Adapters, bool MobileNet);
