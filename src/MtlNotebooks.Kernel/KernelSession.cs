using System.Text.Json.Nodes;
using MtlNotebooks.Scripting;

namespace MtlNotebooks.Kernel;

/// <summary>The kernel's C# session: the headless runner's <see cref="ScriptSession"/>, cell execution and output sink,
/// so a cell shows the same outputs in Jupyter as under <c>mtl notebook</c>. Cells run one at a time on a thread of
/// their own; <see cref="Interrupt"/> cancels the running cell's <c>CellCancellationToken</c>. A cell that ignores it
/// (a tight loop) cannot be aborted in .NET: the session stops waiting, leaves it running on its thread and continues
/// on a new thread from the last completed cell; a restart ends it.</summary>
internal sealed class KernelSession
{
    /// <summary>How long an interrupted cell may take to stop before the session stops waiting for it.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    private readonly ScriptSession _session;
    private readonly NotebookOutputState _outputs = new();
    private readonly Dictionary<string, string> _parameters;
    private readonly KernelLog _log;
    private readonly Task _ready;
    private CellThread _thread = new("kernel cells");
    private CancellationTokenSource? _running;
    private int _abandoned;

    /// <param name="baseDirectory">The folder <c>#load</c>, <c>#r "file.dll"</c> and <c>#i</c> resolve against.</param>
    /// <param name="log">The kernel's log.</param>
    /// <param name="parameters">Papermill-style overrides: the first cell that declares one of these names gets the
    /// value right after it runs (see <see cref="NotebookParameters.OverridesFor"/>).</param>
    public KernelSession(string baseDirectory, IReadOnlyDictionary<string, string> parameters, KernelLog log)
    {
        _session = new ScriptSession(baseDirectory);
        _parameters = new Dictionary<string, string>(parameters, StringComparer.Ordinal);
        _log = log;
        // The helper prelude compiles while the client connects; the first cell waits for it.
        _ready = _thread.RunAsync(async () =>
        {
            await _session.StartWithKernelHelpersAsync(CancellationToken.None).ConfigureAwait(false);
            return 0;
        });
    }

    public int ExecutionCount { get; private set; }

    /// <summary>Completes when the helper prelude has run: completion then sees the session's references.</summary>
    public Task Ready => _ready;

    /// <summary>The session's script state, for completion and inspection (read between cells).</summary>
    public ScriptSession Script => _session;

    /// <summary>Runs <paramref name="code"/> as the next cell, telling <paramref name="observer"/> of its outputs.</summary>
    public async Task<CellOutcome> ExecuteAsync(string code, IOutputObserver observer, bool storeHistory)
    {
        await _ready.ConfigureAwait(false);
        var count = storeHistory ? ++ExecutionCount : ExecutionCount;
        var sink = new OutputSink(new JsonArray(), _outputs, observer);
        using var interrupt = new CancellationTokenSource();
        Volatile.Write(ref _running, interrupt);
        var thread = _thread;
        var work = thread.RunAsync(() => RunAsync(code, count, sink, interrupt.Token));
        try
        {
            var error = await work.WaitAsync(interrupt.Token).ConfigureAwait(false);
            return error is null ? new CellOutcome(count) : CellOutcome.FromError(count, LastError(sink));
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            await Task.WhenAny(work, Task.Delay(Grace)).ConfigureAwait(false);
            _ = work.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            List<string> traceback = [$"cell {count} was interrupted."];
            if (!work.IsCompleted)
            {
                // The stuck cell keeps its thread; later cells run on a new one, from the last completed cell's state.
                _thread = new CellThread($"kernel cells ({++_abandoned} abandoned)");
                thread.Dispose();
                traceback.Add("It did not stop when its CellCancellationToken was cancelled (.NET cannot abort a loop that does not check it), " +
                              "so it goes on in the background and the next cells run beside it. Restart the kernel to end it.");
                _log.Write($"cell {count} ignored the interrupt; continuing on a new cell thread");
            }

            sink.CloseWithError("OperationCanceledException", traceback[0], traceback);
            return new CellOutcome(count, "OperationCanceledException", traceback[0], traceback);
        }
        finally
        {
            Volatile.Write(ref _running, null);
        }
    }

    /// <summary>Cancels the running cell's token; false when no cell runs.</summary>
    public bool Interrupt()
    {
        var running = Volatile.Read(ref _running);
        if (running is null) return false;
        try
        {
            running.Cancel();
        }
        catch (ObjectDisposedException)
        {
            return false;   // the cell ended meanwhile
        }

        return true;
    }

    private async Task<string?> RunAsync(string code, int count, OutputSink sink, CancellationToken cancellationToken)
    {
        var error = await CellExecution.RunAsync(_session, code, count, count, sink, cancellationToken).ConfigureAwait(false);
        if (error is not null || _parameters.Count == 0) return error;
        try
        {
            if (NotebookParameters.OverridesFor(code, _parameters) is not { } overrides) return null;
            // Applied once, after the cell that declares them (the notebook's parameters cell), as papermill injects them.
            foreach (var declared in NotebookParameters.Declarations(code)) _parameters.Remove(declared.Name);
            _log.Write($"cell {count}: parameters {overrides.ReplaceLineEndings(" ").Trim()}");
            await _session.SubmitAsync(overrides, cancellationToken).ConfigureAwait(false);
            // Recorded under the cell, so the executed notebook says which values it ran with (its source still shows the
            // defaults); the runner writes an injected-parameters cell instead, as papermill does.
            sink.Write("stdout", $"Parameters injected from {KernelHost.ParametersVariable}:\n{overrides}");
            return null;
        }
        catch (NotebookParameterException ex)
        {
            sink.Error("ParameterError", ex.Message, [ex.Message]);
            return ex.Message;
        }
    }

    private static JsonObject LastError(OutputSink sink) =>
        sink.Outputs.OfType<JsonObject>().LastOrDefault(o => (string?)o["output_type"] == "error") ?? new JsonObject { ["ename"] = "Error" };
}
