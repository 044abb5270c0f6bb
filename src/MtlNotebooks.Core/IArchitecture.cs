using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>An architecture spec (survey §2: encoder-focused, decoder-focused, single-tasking, baselines):
/// how backbone(s), heads and any exchange between tasks are wired. What only some architectures have is an optional
/// capability declared next to them: <see cref="IHeadedArchitecture"/>, <see cref="IPreferredBackbone"/>,
/// <c>Modules.EncoderFocused.INeedsTrainedBaselines</c>, <c>Modules.SingleTasking.ITaskConditional</c> and
/// <c>IOwnSingleTaskBaseline</c>.</summary>
public interface IArchitecture
{
    string Name { get; }

    IEnumerable<string> Validate(ArchitectureContext context) => [];
    MultiTaskNet Create(ArchitectureContext context);
}
