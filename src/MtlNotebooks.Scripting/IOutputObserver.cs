using System.Text.Json.Nodes;

namespace MtlNotebooks.Scripting;

/// <summary>Told about a cell's outputs as they happen, in order, while <see cref="OutputSink"/> records them: how a
/// live client (the Jupyter kernel) shows console text, displays and results while the cell still runs. Called under
/// the sink's lock: keep it short and never call back into the sink.</summary>
internal interface IOutputObserver
{
    /// <summary>Console text written to <paramref name="stream"/> ("stdout" or "stderr").</summary>
    void Stream(string stream, string text);

    /// <summary>A display_data, execute_result or error output (nbformat form) added at <paramref name="index"/>.</summary>
    void Added(int index, JsonObject output);

    /// <summary>The display_data output at <paramref name="index"/> now shows <paramref name="output"/>.</summary>
    void Replaced(int index, JsonObject output);
}
