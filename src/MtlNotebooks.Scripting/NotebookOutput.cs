using MtlNotebooks.Runtime;

namespace MtlNotebooks.Scripting;

/// <summary>The files a notebook run writes: the executed notebook after every cell and the HTML export at the end,
/// each atomically (a temporary file renamed over the target), so a run killed mid-write leaves the previous version.</summary>
internal sealed class NotebookOutput(NotebookDocument executed, NotebookOutputState state, NotebookRunOptions options)
{
    /// <summary>Writes the executed notebook as it is now, if the run has an output path.</summary>
    public void Checkpoint(string when)
    {
        if (options.OutputPath is not { } path) return;
        string json;
        lock (state.Gate) json = executed.ToJson();   // a cell's background task may still be adding outputs
        Write(nameof(NotebookRunOptions.OutputPath), path, json, $"the executed notebook {when}");
    }

    /// <summary>Closes the outputs, writes the notebook a last time and the HTML export, and returns <paramref name="result"/>.</summary>
    public NotebookRunResult Finish(NotebookRunResult result)
    {
        lock (state.Gate) state.Closed = true;
        Checkpoint("at the end of the run");
        if (options.HtmlPath is { } html)
        {
            string page;
            lock (state.Gate) page = NotebookHtmlExporter.Export(executed);
            Write(nameof(NotebookRunOptions.HtmlPath), html, page, "the HTML export");
        }

        return result;
    }

    private static void Write(string option, string path, string text, string what)
    {
        try
        {
            AtomicFile.WriteAllText(path, text);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OutputPathException($"{option} {path}: could not write {what} ({ex.Message}).");
        }
    }
}
