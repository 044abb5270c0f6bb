namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>How the FPM's softmax groups channels. The paper (§3.3) normalises "over the task dimension" for each channel;
/// the reference code reshapes the task-blocked concatenation [B, N·C, H, W] to [B, C, N, H, W], so each softmax runs over
/// N consecutive channels of that concatenation.</summary>
public enum FpmGrouping
{
    ReferenceCode,
    Paper,
}
