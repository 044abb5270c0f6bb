namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Everything MTI-Net needs to be built: the backbone, the tasks, how many of the backbone's levels to use
/// (coarsest first when counting down; MTI-Net Table 3), the distillation unit and the optional FPM (Table 2: w/o FPM).</summary>
public sealed record MtiNetOptions(
    IReadOnlyList<string> Tasks,
    IReadOnlyDictionary<string, int> OutputChannels,
    IReadOnlyList<string> AuxiliaryTasks,
    int Scales,
    IDistillationUnit Distillation,
    IFeaturePropagation Propagation);
