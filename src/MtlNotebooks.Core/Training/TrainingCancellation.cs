namespace MtlNotebooks.Training;

/// <summary>A cancellation token that flows with the calling code (an <see cref="AsyncLocal{T}"/>), which
/// <see cref="Trainer.Fit"/> checks before every step and evaluation besides <see cref="TrainingOptions.CancellationToken"/>.
/// The notebook runner and the Jupyter kernel set it to the running cell's token, so interrupting a cell or reaching a
/// cell's time limit stops training that was started without a token of its own.</summary>
public static class TrainingCancellation
{
    private static readonly AsyncLocal<CancellationToken> Ambient = new();

    /// <summary>The token in effect for the calling code (none by default).</summary>
    public static CancellationToken Current => Ambient.Value;

    /// <summary>Makes <paramref name="token"/> the ambient one for the calling code until disposed.</summary>
    public static IDisposable Use(CancellationToken token)
    {
        var previous = Ambient.Value;
        Ambient.Value = token;
        return new Restore(previous);
    }

    /// <summary>Throws <see cref="OperationCanceledException"/> when <paramref name="options"/>' token or the ambient one is cancelled.</summary>
    internal static void ThrowIfRequested(TrainingOptions options)
    {
        options.CancellationToken.ThrowIfCancellationRequested();
        Ambient.Value.ThrowIfCancellationRequested();
    }

    private sealed class Restore(CancellationToken previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
