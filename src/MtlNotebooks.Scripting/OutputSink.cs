using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MtlNotebooks.Analysis;
using MtlNotebooks.Interactive;

namespace MtlNotebooks.Scripting;

/// <summary>Notebook-wide output state: plotly.js goes into the first output that needs it, once per notebook; one lock
/// for every cell's outputs, so the runner can save the notebook while a background task of a cell still writes.</summary>
internal sealed class NotebookOutputState
{
    public bool PlotlyJsInlined { get; set; }

    public Lock Gate { get; } = new();

    /// <summary>Set (under <see cref="Gate"/>) when the run ends: the notebook it returns and wrote changes no more,
    /// whatever a background task of a cell still displays.</summary>
    public bool Closed { get; set; }
}

/// <summary>Collects the outputs of one cell in nbformat form, in the order they happen: console text (stdout, stderr
/// streams), display_data from <see cref="KernelHelpers.display"/>, the execute_result of the last expression, and
/// an error. A closed sink (the cell the runner stopped waiting for) takes no more outputs. An
/// <see cref="IOutputObserver"/> hears of each output as it is recorded.</summary>
internal sealed class OutputSink(JsonArray outputs, NotebookOutputState state, IOutputObserver? observer = null)
{
    /// <summary>Console text one cell keeps, in characters; past it text is counted, not kept, and a note says how much
    /// went (as Jupyter front ends truncate): a cell that logs every step of a long run stays a notebook one can open.</summary>
    public const int MaxStreamChars = 4 * 1024 * 1024;

    /// <summary>An unfinished line is joined again at each write only up to this length (characters), so a cell that
    /// prints dots without a newline costs a bounded copy per write, and no string reaches the large-object heap.</summary>
    private const int OpenLineLimit = 4 * 1024;

    private bool _closed;
    private long _streamChars, _droppedChars;
    private JsonObject? _truncationNote;

    private Lock Gate => state.Gate;

    private bool Closed => _closed || state.Closed;

    public JsonArray Outputs { get; } = outputs;

    /// <summary>Appends console text; false when the sink is closed (the text then belongs to no cell). Linear in the text
    /// written: only the last unfinished line of the stream is touched again.</summary>
    public bool Write(string stream, string text)
    {
        if (text.Length == 0) return true;
        lock (Gate)
        {
            if (Closed) return false;
            long room = Math.Max(0, MaxStreamChars - _streamChars);
            int cut = (int)Math.Min(room, text.Length);
            if (cut < text.Length && cut > 0 && char.IsHighSurrogate(text[cut - 1])) cut--;   // never half a character
            var kept = text[..cut];
            _streamChars += kept.Length;
            if (kept.Length > 0) Append(stream, kept);
            if (kept.Length < text.Length) NoteDropped(stream, text.Length - kept.Length);
            return true;
        }
    }

    private void Append(string stream, string text)
    {
        observer?.Stream(stream, text);
        if (Outputs.Count > 0 && Outputs[^1] is JsonObject last && (string?)last["output_type"] == "stream" && (string?)last["name"] == stream
            && !ReferenceEquals(last, _truncationNote))
        {
            var lines = (JsonArray)last["text"]!;
            // An unfinished line is joined again only while short: a cell that prints dots without a newline gets 4 K
            // segments, not one line copied whole at every write.
            if (lines.Count > 0 && (string?)lines[^1] is { } open && !EndsLine(open) && open.Length < OpenLineLimit)
            {
                lines.RemoveAt(lines.Count - 1);
                text = open + text;
            }
            foreach (var line in Segments(text)) lines.Add(line);
            return;
        }
        Outputs.Add(new JsonObject { ["name"] = stream, ["output_type"] = "stream", ["text"] = new JsonArray(Segments(text).Select(l => (JsonNode?)l).ToArray()) });
    }

    /// <summary>Past <see cref="MaxStreamChars"/> text is counted in one note (stderr), updated in place.</summary>
    private void NoteDropped(string stream, long chars)
    {
        _droppedChars += chars;
        if (_truncationNote is null)
        {
            _truncationNote = new JsonObject { ["name"] = "stderr", ["output_type"] = "stream" };
            Outputs.Add(_truncationNote);
            observer?.Stream("stderr", $"\n[output truncated: a cell keeps {MaxStreamChars / (1024 * 1024)} MB of text; the rest is not shown or kept]\n");
        }
        _truncationNote["text"] = new JsonArray(string.Create(CultureInfo.InvariantCulture,
            $"\n[output truncated: {_droppedChars / (1024.0 * 1024):0.0} MB not kept ({stream}); a cell keeps {MaxStreamChars / (1024 * 1024)} MB of text]\n"));
    }

    /// <summary>Lines ending in \n or \r (a progress line redrawn with \r is many short segments, not one growing line);
    /// joined they give the text back, as nbformat's list of strings does.</summary>
    private static IEnumerable<string> Segments(string text)
    {
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] is not ('\n' or '\r')) continue;
            yield return text[start..(i + 1)];
            start = i + 1;
        }
        if (start < text.Length) yield return text[start..];
    }

    private static bool EndsLine(string segment) => segment.EndsWith('\n') || segment.EndsWith('\r');

    /// <summary>Adds a last error output and stops taking outputs: a cell still running after its time limit must not
    /// change the saved notebook.</summary>
    public void CloseWithError(string name, string value, IEnumerable<string> traceback)
    {
        lock (Gate)
        {
            Error(name, value, traceback);
            _closed = true;
        }
    }

    public DisplayedValue Display(object? value, IReadOnlyCollection<string>? mimeTypes = null)
    {
        var data = MimeBundle.Create(value, mimeTypes);
        lock (Gate)
        {
            if (Closed) return DisplayedValue.Detached;
            InlinePlotlyJsIfNeeded(data);
            Add(new JsonObject { ["data"] = data, ["metadata"] = new JsonObject(), ["output_type"] = "display_data" });
            return new DisplayedValue(this, Outputs.Count - 1);
        }
    }

    public void Result(object? value, int executionCount)
    {
        var data = MimeBundle.Create(value);
        lock (Gate)
        {
            if (Closed) return;
            InlinePlotlyJsIfNeeded(data);
            Add(new JsonObject
            {
                ["data"] = data, ["execution_count"] = executionCount, ["metadata"] = new JsonObject(), ["output_type"] = "execute_result",
            });
        }
    }

    public void Replace(int index, object? value)
    {
        var data = MimeBundle.Create(value);
        lock (Gate)
        {
            if (Closed) return;
            InlinePlotlyJsIfNeeded(data);
            if (Outputs[index] is not JsonObject output) return;
            output["data"] = data;
            observer?.Replaced(index, output);
        }
    }

    public void Error(string name, string value, IEnumerable<string> traceback)
    {
        lock (Gate)
        {
            if (Closed) return;
            Add(new JsonObject
            {
                ["ename"] = name, ["evalue"] = value, ["output_type"] = "error",
                ["traceback"] = new JsonArray(traceback.Select(l => (JsonNode)JsonValue.Create(l)).ToArray()),
            });
        }
    }

    /// <summary>Records an output (under the lock) and tells the observer.</summary>
    private void Add(JsonObject output)
    {
        Outputs.Add(output);
        observer?.Added(Outputs.Count - 1, output);
    }

    /// <summary>Charts refer to a global Plotly: the first chart of a notebook is preceded by the inlined bundle, an output
    /// marked so the HTML export can move it into the page head.</summary>
    private void InlinePlotlyJsIfNeeded(JsonObject data)
    {
        if (state.PlotlyJsInlined || !MimeBundle.NeedsPlotlyJs(data)) return;
        state.PlotlyJsInlined = true;
        Add(new JsonObject
        {
            ["data"] = new JsonObject { [MimeBundle.HtmlMimeType] = NotebookCell.Lines(ChartHtml.PlotlyJsBundleHtml()) },
            ["metadata"] = new JsonObject { ["mtlnotebooks"] = new JsonObject { ["plotlyjs"] = PlotlyHtml.PlotlyJsVersion } },
            ["output_type"] = "display_data",
        });
    }
}

/// <summary>Console.Out/Error while a notebook runs: text goes to the running cell's stream output, or to the original
/// writer outside a cell (e.g. a background thread that does not flow the cell's context).</summary>
internal sealed class CellConsoleWriter(TextWriter original, string stream) : TextWriter
{
    public override Encoding Encoding => original.Encoding;

    public override void Write(char value) => Write(value.ToString());

    public override void Write(string? value)
    {
        if (value is null) return;
        if (KernelHelpers.CurrentSink.Value is not { } sink || !sink.Write(stream, value))
            original.Write(value);
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine(string? value) => Write((value ?? "") + "\n");

    public override void WriteLine() => Write("\n");
}
