using TorchSharp.Modules;

namespace MtlNotebooks;

/// <summary>Parameters the optimiser steps at <paramref name="LearningRateScale"/> × the scheduled learning rate: ASTMT
/// trains task-specific layers at T× and its discriminator at 10× the shared layers' rate (appendix); cross-stitch and
/// NDDR-CNN train their fusion units at 100× (survey §2.2). Declared by the network
/// (<see cref="MultiTaskNet.ParameterGroups"/>), used by the trainer for any optimiser.</summary>
public sealed record ParameterGroup(string Name, IReadOnlyList<Parameter> Parameters, double LearningRateScale = 1.0);
