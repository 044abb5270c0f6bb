using System.Collections;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>An intermediate prediction of <paramref name="Task"/> (e.g. <c>initial@stride8</c>) at its own resolution.</summary>
public sealed record IntermediatePrediction(string Task, string Name, Tensor Output);
