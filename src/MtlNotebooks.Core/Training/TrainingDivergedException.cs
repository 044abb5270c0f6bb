namespace MtlNotebooks.Training;

/// <summary>Training stopped because a loss became NaN or infinite, or grew or a metric strayed past the run's
/// <see cref="DivergenceGuard"/>.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
