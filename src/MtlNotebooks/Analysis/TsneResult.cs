using static TorchSharp.torch;

namespace MtlNotebooks.Analysis;

/// <summary>What <see cref="Tsne.Run"/> returns: the [N, Dimensions] float64 embedding (the caller owns and disposes
/// it) and the cost C = KL(P‖Q) (eq. 2, with the un-exaggerated P) after every <see cref="Tsne.TrajectoryStride"/>-th
/// iteration and after the last, as (iteration, KL) in order.</summary>
public sealed record TsneResult(Tensor Embedding, IReadOnlyList<(int Iteration, double KullbackLeibler)> Trajectory);
