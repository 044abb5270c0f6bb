using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>An extra objective a network contributes to a training pass (<see cref="MultiTaskNet.TrainingTerm"/>): the
/// pass minimises <paramref name="TaskLossScale"/> × (the balancer's combined task loss) + <paramref name="Loss"/>.
/// ASTMT: (1 − w_d)·L_task + w_d·L_discriminator (§4), so the scale is 1 − w_d and <paramref name="Loss"/> is already
/// weighted. <paramref name="Diagnostics"/> are logged per step (e.g. the discriminator's accuracy).</summary>
public sealed record TrainingTerm(string Name, Tensor Loss, double TaskLossScale, IReadOnlyDictionary<string, double> Diagnostics);
