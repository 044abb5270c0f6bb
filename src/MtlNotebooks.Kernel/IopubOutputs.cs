using System.Text.Json.Nodes;
using MtlNotebooks.Scripting;

namespace MtlNotebooks.Kernel;

/// <summary>Sends a cell's outputs on iopub as the sink records them: stream, display_data (with a display id, so a
/// <c>DisplayedValue.Update</c> becomes update_display_data), execute_result and error, all children of the
/// execute_request.</summary>
internal sealed class IopubOutputs(Action<string, JsonObject> publish) : IOutputObserver
{
    private readonly Dictionary<int, string> _displayIds = [];

    public void Stream(string stream, string text) => publish("stream", new JsonObject { ["name"] = stream, ["text"] = text });

    public void Added(int index, JsonObject output)
    {
        switch ((string?)output["output_type"])
        {
            case "display_data":
                var id = _displayIds[index] = Guid.NewGuid().ToString("N");
                publish("display_data", Display(output, id));
                break;
            case "execute_result":
                publish("execute_result", new JsonObject
                {
                    ["execution_count"] = output["execution_count"]?.DeepClone(), ["data"] = Data(output), ["metadata"] = Metadata(output),
                });
                break;
            case "error":
                publish("error", new JsonObject
                {
                    ["ename"] = output["ename"]?.DeepClone(), ["evalue"] = output["evalue"]?.DeepClone(), ["traceback"] = output["traceback"]?.DeepClone(),
                });
                break;
        }
    }

    public void Replaced(int index, JsonObject output)
    {
        if (_displayIds.TryGetValue(index, out var id))
            publish("update_display_data", Display(output, id));
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
