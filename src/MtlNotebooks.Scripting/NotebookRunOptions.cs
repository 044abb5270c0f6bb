namespace MtlNotebooks.Scripting;

/// <summary>Options of a headless notebook run.</summary>
public sealed record NotebookRunOptions
{
    /// <summary>Values for the parameters cell (papermill's -p), injected as a cell after it.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Progress lines ("cell 4/17 … 1.2 s"); null for none.</summary>
    public TextWriter? Log { get; init; }

    /// <summary>Where to write the executed notebook: before the first cell and again after every cell (atomically),
    /// so a run that fails, times out or is killed leaves the outputs it had. Null: the caller saves
    /// <see cref="NotebookRunResult.Executed"/> itself. Never the input notebook.</summary>
    public string? OutputPath { get; init; }

    /// <summary>The longest a code cell may run (papermill's --execution-timeout); null for no limit. At the limit the
    /// cell's <see cref="KernelHelpers.CellCancellationToken"/> is cancelled, a timeout error goes into its outputs and
    /// the run stops. Code that ignores the token cannot be aborted in .NET: it goes on in the background until the
    /// process exits (the CLI exits right after writing the notebook).</summary>
    public TimeSpan? CellTimeout { get; init; }

    /// <summary>The longest the whole run may take; the cell running when it runs out is stopped as by
    /// <see cref="CellTimeout"/>. Null for no limit.</summary>
    public TimeSpan? TotalTimeout { get; init; }

    /// <summary>Where to write the HTML export of the executed notebook when the run ends (also after a failure); null for none.</summary>
    public string? HtmlPath { get; init; }

    /// <summary>Called with the cell's number (1-based, over all cells) before each code cell runs: a process supervising the
    /// run learns which cell was running if the process dies. Null for none.</summary>
    public Action<int>? CellStarting { get; init; }
}
