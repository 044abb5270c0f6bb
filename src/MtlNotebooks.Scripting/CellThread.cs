using System.Collections.Concurrent;

namespace MtlNotebooks.Scripting;

/// <summary>The thread the cells of a notebook (or a script) run on, one after another. One thread for the whole run,
/// so thread-affine state (TorchSharp's dispose scopes and grad mode, [ThreadStatic] fields) carries from cell to cell;
/// not the runner's own thread, so the runner can stop waiting for a cell that never returns. It is a background
/// thread: a cell stuck in a loop does not keep the process alive.</summary>
internal sealed class CellThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();

    public CellThread(string name)
    {
        var thread = new Thread(() =>
        {
            foreach (var item in _work.GetConsumingEnumerable()) item();
        }) { IsBackground = true, Name = name };
        thread.Start();
    }

    /// <summary>Queues <paramref name="work"/>; the task completes with its value or its exception.</summary>
    public Task<T> RunAsync<T>(Func<Task<T>> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                done.SetResult(work().GetAwaiter().GetResult());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        });
        return done.Task;
    }

    /// <summary>Lets the thread end once its queue is empty (a stuck cell keeps it until the process exits).</summary>
    public void Dispose() => _work.CompleteAdding();
}
