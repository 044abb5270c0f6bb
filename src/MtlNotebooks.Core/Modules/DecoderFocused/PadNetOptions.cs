namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Everything PAD-Net needs besides the backbone: the tasks, the width <see cref="Channels"/> of the task features
/// and the distillation (a multiple of 4, the bottlenecks' expansion) and the distillation unit.</summary>
public sealed record PadNetOptions(
    IReadOnlyList<string> Tasks,
    IReadOnlyDictionary<string, int> OutputChannels,
    IReadOnlyList<string> AuxiliaryTasks,
    int Channels,
    IDistillationUnit Distillation);
