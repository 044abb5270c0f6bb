namespace MtlNotebooks.Scripting;

/// <summary>Bounds how long the runner waits for a cell or a script, as far as .NET allows. The work gets a token that
/// is cancelled at the limit: Roslyn checks it before a submission runs, and code that observes it (awaits with it,
/// <c>ThrowIfCancellationRequested</c> in a loop) stops there. Code that does not (<c>Thread.Sleep</c>, a tight loop)
/// cannot be aborted inside a .NET process: the runner stops waiting, and the work goes on in the background until
/// the process exits.</summary>
internal static class TimeLimit
{
    /// <summary>How long work may take to stop once its token is cancelled before the runner stops waiting.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(500);

    /// <summary>Starts the work with a token cancelled after <paramref name="limit"/> (null: no limit) or with
    /// <paramref name="cancellationToken"/>. Finished: it ended in time, with <c>Value</c> (its exception propagates).
    /// Otherwise the limit ran out; <c>StillRunning</c> says the work ignored the token. Cancelling
    /// <paramref name="cancellationToken"/> throws <see cref="OperationCanceledException"/>.</summary>
    public static async Task<(bool Finished, T? Value, bool StillRunning)> RunAsync<T>(
        Func<CancellationToken, Task<T>> start, TimeSpan? limit, CancellationToken cancellationToken)
    {
        using var limited = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // CancelAfter takes at most int.MaxValue ms (24.8 days): a longer limit is no limit.
        if (limit is { } l && l.TotalMilliseconds < int.MaxValue)
            limited.CancelAfter(l < TimeSpan.Zero ? TimeSpan.Zero : l);
        var work = start(limited.Token);
        try
        {
            return (true, await work.WaitAsync(limited.Token).ConfigureAwait(false), false);
        }
        catch (OperationCanceledException) when (limited.IsCancellationRequested)
        {
            await Task.WhenAny(work, Task.Delay(Grace, CancellationToken.None)).ConfigureAwait(false);
            // Whatever the abandoned work throws later is not an unobserved task exception.
            _ = work.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            cancellationToken.ThrowIfCancellationRequested();
            return (false, default, !work.IsCompleted);
        }
    }
}
