namespace MtlNotebooks.Training;

/// <summary>Where <see cref="Trainer.Fit"/> reports progress when <see cref="TrainingOptions.Progress"/> is not set: a
/// factory that flows with the calling code (an <see cref="AsyncLocal{T}"/>), given each run's name. The notebook runner
/// and the Jupyter kernel set it for the running cell, so every training cell shows a live progress line without
/// passing anything; a run that names its own <see cref="TrainingOptions.Progress"/> keeps it.</summary>
public static class AmbientProgress
{
    private static readonly AsyncLocal<Func<string, IProgress<TrainingProgress>>?> Ambient = new();

    /// <summary>The factory in effect for the calling code (none by default).</summary>
    public static Func<string, IProgress<TrainingProgress>>? Current => Ambient.Value;

    /// <summary>Makes <paramref name="factory"/> the ambient one for the calling code until disposed.</summary>
    public static IDisposable Use(Func<string, IProgress<TrainingProgress>>? factory)
    {
        var previous = Ambient.Value;
        Ambient.Value = factory;
        return new Restore(previous);
    }

    /// <summary>The run's own progress, else one from the ambient factory, else none.</summary>
    internal static IProgress<TrainingProgress>? For(TrainingOptions options) =>
        options.Progress ?? Ambient.Value?.Invoke(options.RunName ?? "");

    private sealed class Restore(Func<string, IProgress<TrainingProgress>>? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
