using System.Text.Json;
using System.Text.Json.Nodes;

namespace MtlNotebooks.Experiments;

/// <summary>What <c>run.json</c> holds: the settings a run was started with and the names of every file it writes
/// (null for a run.json written before runs listed their files, which held the settings alone).</summary>
internal sealed record RunManifest(IReadOnlyDictionary<string, string> Settings, IReadOnlyList<string>? Files)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string ToJson() => new JsonObject
    {
        ["settings"] = new JsonObject(Settings.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
        ["files"] = new JsonArray(Files!.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray()),
    }.ToJsonString(Indented);

    /// <exception cref="ArgumentException">The file is not a run.json of either form (the message names it).</exception>
    public static RunManifest Read(string path)
    {
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                       ?? throw new JsonException("the top level is not an object");
            if (root["settings"] is not JsonObject settings)
                return new RunManifest(Strings(root), null);
            var files = root["files"] as JsonArray ?? throw new JsonException("'files' is not a list");
            return new RunManifest(Strings(settings), files.Select(f => f?.GetValue<string>() ?? throw new JsonException("a file name is null")).ToArray());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new ArgumentException($"'{path}' is not readable ({ex.Message}); the run cannot be resumed or overwritten.", ex);
        }
    }

    /// <summary>Resuming continues the same run: same settings, so the same files.</summary>
    public void ThrowIfDiffers(string path, IReadOnlyDictionary<string, string> settings, IReadOnlyList<string> files)
    {
        var differences = settings.Keys.Union(Settings.Keys)
            .Where(k => settings.GetValueOrDefault(k) != Settings.GetValueOrDefault(k))
            .Select(k => $"{k}: the run has {Settings.GetValueOrDefault(k) ?? "(none)"}, these settings ask for {settings.GetValueOrDefault(k) ?? "(none)"}")
            .ToList();
        if (differences.Count == 0 && Files is not null && !Files.Order(StringComparer.Ordinal).SequenceEqual(files.Order(StringComparer.Ordinal)))
            differences.Add($"files: the run lists {string.Join(", ", Files)}; this run would write {string.Join(", ", files)}");
        if (differences.Count > 0)
            throw new ArgumentException($"'{path}' was started with other settings; resume with the same ones:" + Environment.NewLine +
                                        string.Join(Environment.NewLine, differences.Select(d => "  - " + d)));
    }

    private static Dictionary<string, string> Strings(JsonObject node) =>
        node.ToDictionary(kv => kv.Key, kv => kv.Value?.GetValue<string>() ?? throw new JsonException($"setting '{kv.Key}' is null"));
}
