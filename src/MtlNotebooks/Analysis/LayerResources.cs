namespace MtlNotebooks.Analysis;

/// <summary>Cost of one layer call for one image: its parameters and multiply-accumulates.</summary>
/// <param name="Module">The layer's path in the network (its state-dict prefix).</param>
/// <param name="Type">Conv2d, Linear or BatchNorm2d.</param>
/// <param name="OutputShape">Output shape for a batch of one.</param>
/// <param name="Parameters">The layer's own parameters.</param>
/// <param name="MultiplyAccumulates">Multiply-accumulates of the call for one image.</param>
public sealed record LayerResources(string Module, string Type, long[] OutputShape, long Parameters, long MultiplyAccumulates);
