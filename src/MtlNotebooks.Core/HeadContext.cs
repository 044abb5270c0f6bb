using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>What a head may rely on when it is created: the backbone's levels and the task it predicts.</summary>
public sealed record HeadContext(string Task, int OutputChannels, FeatureInfo Features);
