namespace MtlNotebooks.Tests;

/// <summary>Tests that touch libtorch run one at a time: they share its global RNG and thread pool.</summary>
[CollectionDefinition("Torch", DisableParallelization = true)]
public sealed class TorchCollection;
