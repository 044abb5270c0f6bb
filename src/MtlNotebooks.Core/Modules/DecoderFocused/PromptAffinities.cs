using static TorchSharp.torch;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>What one TaskPrompter block's attention says about the prompts, raw (unscaled, before the softmax), as the
/// official code hands them to its task-feature decoder.</summary>
/// <param name="Spatial">q kᵀ over prompts and patches together, [B, heads, P + N, P + N]: row p, columns P… are prompt p's
/// affinity to every patch; columns 0…P−1 its affinity to every prompt (cross-task reweighting).</param>
/// <param name="Channel">Each prompt, projected to one value per patch, against every channel, per window of the grid:
/// [B, P, C, windows down, windows across].</param>
internal sealed record PromptAffinities(Tensor Spatial, Tensor Channel);
