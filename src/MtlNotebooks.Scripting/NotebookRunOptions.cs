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

    /// <summary>Where to write the HTML export of the executed notebook when the run ends (also after a failure); null for none.</summary>
    public string? HtmlPath { get; init; }
}
