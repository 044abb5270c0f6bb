namespace MtlNotebooks.Training;

/// <summary>A progress report: where training is, the latest loss and the estimated time left.</summary>
public sealed record TrainingProgress(string RunName, int Epoch, int Epochs, long Step, long TotalSteps, double Loss, TimeSpan Elapsed, TimeSpan Remaining);
