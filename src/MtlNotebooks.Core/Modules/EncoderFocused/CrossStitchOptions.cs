namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>Options of <see cref="CrossStitchModule"/>: the units' initial weights (α on the diagonal, β off it; the survey
/// code: NYUD 0.9/0.1, PASCAL 0.8/0.05) and the units' learning-rate factor (100× in the survey code).</summary>
public sealed record CrossStitchOptions(double Alpha = 0.9, double Beta = 0.1, double FusionLearningRateScale = 100, bool StartFromSingleTask = true);
