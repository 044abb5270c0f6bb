namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>Options of <see cref="NddrCnnModule"/>: the layers' initialisation (α·I on the task's own features, β·I on the
/// others; the survey code: NYUD 0.9/0.1, PASCAL 0.8/0.05), their BN momentum (0.05) and learning-rate factor (100×).</summary>
public sealed record NddrCnnOptions(double Alpha = 0.9, double Beta = 0.1, double FusionLearningRateScale = 100, double Momentum = 0.05, bool StartFromSingleTask = true);
