using MtlNotebooks.Balancing;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>Mean unweighted loss per task over an epoch (DWA uses it).</summary>
public sealed record EpochSummary(int Epoch, IReadOnlyDictionary<string, double> MeanLoss);
