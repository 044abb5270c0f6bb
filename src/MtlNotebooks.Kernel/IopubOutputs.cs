using System.Text;
using System.Text.Json.Nodes;
using MtlNotebooks.Scripting;

namespace MtlNotebooks.Kernel;

/// <summary>Sends a cell's outputs on iopub as the sink records them: stream, display_data (with a display id, so a
/// <c>DisplayedValue.Update</c> becomes update_display_data), execute_result and error, all children of the
/// execute_request. Console text is gathered and sent every 50 ms or 64 KB, as ipykernel flushes its streams: a cell that
/// prints a line per step would otherwise send hundreds of thousands of messages, more than the iopub socket queues, and
/// the client would silently miss some. Dispose sends what is left.</summary>
internal sealed class IopubOutputs : IOutputObserver, IDisposable
{
    private const int FlushChars = 64 * 1024;
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(50);

    private readonly Action<string, JsonObject> _publish;
    private readonly Dictionary<int, string> _displayIds = [];
    private readonly Lock _gate = new();
    private readonly StringBuilder _pending = new();
    private readonly Timer _timer;
    private string? _pendingStream;
    private bool _disposed;

    public IopubOutputs(Action<string, JsonObject> publish)
    {
        _publish = publish;
        _timer = new Timer(_ => Flush(), null, FlushInterval, FlushInterval);
    }

    public void Stream(string stream, string text)
    {
        lock (_gate)
        {
            if (_pendingStream != stream) FlushLocked();
            _pendingStream = stream;
            _pending.Append(text);
            if (_disposed || _pending.Length >= FlushChars) FlushLocked();
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
        {
            FlushLocked();
            _disposed = true;
        }
    }

    private void Flush()
    {
        lock (_gate) FlushLocked();
    }

    private void FlushLocked()
    {
        if (_pending.Length == 0 || _pendingStream is null) return;
        _publish("stream", new JsonObject { ["name"] = _pendingStream, ["text"] = _pending.ToString() });
        _pending.Clear();
    }

    /// <summary>Every other output comes after the text written before it.</summary>
    private void Send(string type, JsonObject content)
    {
        lock (_gate)
        {
            FlushLocked();
            _publish(type, content);
        }
    }

    public void Added(int index, JsonObject output)
    {
        switch ((string?)output["output_type"])
        {
            case "display_data":
                var id = _displayIds[index] = Guid.NewGuid().ToString("N");
                Send("display_data", Display(output, id));
                break;
            case "execute_result":
                Send("execute_result", new JsonObject
                {
                    ["execution_count"] = output["execution_count"]?.DeepClone(), ["data"] = Data(output), ["metadata"] = Metadata(output),
                });
                break;
            case "error":
                Send("error", new JsonObject
                {
                    ["ename"] = output["ename"]?.DeepClone(), ["evalue"] = output["evalue"]?.DeepClone(), ["traceback"] = output["traceback"]?.DeepClone(),
                });
                break;
        }
    }

    public void Replaced(int index, JsonObject output)
    {
        if (_displayIds.TryGetValue(index, out var id))
            Send("update_display_data", Display(output, id));
    }

    private static JsonObject Display(JsonObject output, string displayId) => new()
    {
        ["data"] = Data(output), ["metadata"] = Metadata(output), ["transient"] = new JsonObject { ["display_id"] = displayId },
    };

    private static JsonObject Metadata(JsonObject output) => output["metadata"]?.DeepClone() as JsonObject ?? new JsonObject();

    /// <summary>nbformat keeps text as a list of lines; messages carry one string per MIME type.</summary>
    private static JsonObject Data(JsonObject output)
    {
        var data = new JsonObject();
        if (output["data"] is not JsonObject bundle) return data;
        foreach (var (mime, _) in bundle)
            data[mime] = MimeBundle.Text(bundle, mime);
        return data;
    }
}
