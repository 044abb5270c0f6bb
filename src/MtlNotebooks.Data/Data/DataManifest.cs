using System.Text.Json;
using System.Text.Json.Serialization;

namespace MtlNotebooks.Data;

/// <summary>
/// The on-disk layout of a real data set as the reference code reads it (<c>data-manifests/*.json</c>): image folder
/// and pattern, split lists with their expected counts, each task's label folder, pattern, format and encoding, the
/// source and the papers' loss weights. <see cref="ManifestDataset"/> loads a split; <see cref="DataVerifier"/> checks a
/// folder against it.
/// </summary>
public sealed record DataManifest(
    string Id,
    string Name,
    string Description,
    string Reference,
    ManifestSource Source,
    ManifestImage Image,
    IReadOnlyList<ManifestSplit> Splits,
    IReadOnlyList<ManifestTask> Tasks,
    IReadOnlyDictionary<string, double> LossWeights,
    ManifestTraining Training)
{
    /// <summary>The label formats <see cref="ManifestDataset"/> decodes.</summary>
    public static IReadOnlySet<string> SupportedFormats { get; } =
        new HashSet<string>(["png-classes", "png-binary", "png-normals", "npy-depth", "npy-normals", "npy-edge", "mat-human-parts", "mat-labelmap-edges"],
            StringComparer.Ordinal);

    /// <summary>The manifest files of the known data sets, by id.</summary>
    public static IReadOnlyDictionary<string, string> KnownFiles { get; } =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["nyud"] = "nyud-v2.json", ["pascal"] = "pascal-context.json" };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { ReadCommentHandling = JsonCommentHandling.Skip };

    /// <summary>Reads a manifest file, checked against the manifest schema first: an unknown field, a missing one or a
    /// misspelt format is an error naming the file and the field's path, one line per problem.</summary>
    public static DataManifest Load(string path)
    {
        ImageIO.RequireFile(path);
        try
        {
            var text = File.ReadAllText(path);
            using (var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }))
            {
                var problems = ManifestSchema.Check(document.RootElement);
                if (problems.Count > 0) throw new DataSetException(path, string.Join($"\n{path}: ", problems));
            }
            return JsonSerializer.Deserialize<DataManifest>(text, Json) ?? throw new DataSetException(path, "is empty.");
        }
        catch (JsonException ex)
        {
            throw new DataSetException(path, $"is not valid manifest JSON ({ex.Message}).", ex);
        }
        catch (Exception ex) when (ex is IOException and not DataSetException or UnauthorizedAccessException)
        {
            throw new DataSetException(path, $"cannot be read ({ex.Message}).", ex);
        }
    }

    /// <summary>The manifest of a known data set ("nyud" or "pascal"), found in a <c>data-manifests</c> folder in the
    /// current directory, the application's folder or any of their parents.</summary>
    public static DataManifest ForDataSet(string id)
    {
        if (!KnownFiles.TryGetValue(id, out var file))
            throw new ArgumentException($"Unknown data set '{id}'; known: {string.Join(", ", KnownFiles.Keys)}.", nameof(id));
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "data-manifests", file);
                if (File.Exists(candidate)) return Load(candidate);
            }
        }
        throw new DataSetException(Path.Combine("data-manifests", file),
            $"was not found in {Directory.GetCurrentDirectory()}, {AppContext.BaseDirectory} or their parents; run from the repository or use DataManifest.Load(path).");
    }

    /// <summary>The split named <paramref name="name"/>; the message lists the known splits.</summary>
    public ManifestSplit Split(string name) =>
        Splits.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"{Name} has no split '{name}'; splits: {string.Join(", ", Splits.Select(s => s.Name))}.", nameof(name));

    /// <summary>The task named <paramref name="name"/>; the message lists the known tasks.</summary>
    public ManifestTask Task(string name) =>
        Tasks.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"{Name} has no labels for task '{name}'; tasks: {string.Join(", ", Tasks.Select(t => t.Name))}.", nameof(name));

    /// <summary>Problems with the manifest itself (empty when valid): the checks <see cref="Load"/> makes, applied to a
    /// manifest built or changed in code, each as "field.path: what is wrong".</summary>
    public IEnumerable<string> Validate() => ManifestSchema.Check(JsonSerializer.SerializeToElement(this, Json));

    /// <summary>A readable summary: tasks, classes, splits, sizes, source.</summary>
    public string Describe()
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine($"{Name} ({Id})");
        text.AppendLine(Description);
        text.AppendLine();
        text.AppendLine($"Images:  {Image.Folder}/{Image.Pattern} ({Image.Format}){(Image.Height is int h && Image.Width is int w ? $", {h}x{w}" : ", variable size")}");
        text.AppendLine($"Splits:  {string.Join(", ", Splits.Select(s => $"{s.Name} {s.Count:N0} ({s.List})"))}");
        text.AppendLine($"Training size: {Training.Height}x{Training.Width}");
        text.AppendLine("Tasks:");
        foreach (var t in Tasks)
        {
            var weight = LossWeights.TryGetValue(t.Name, out var lw) ? $"loss weight {lw:0.##}" : "no loss weight";
            text.AppendLine($"  {t.Name,-12} {string.Join(" | ", t.Folders.Select(f => $"{f}/{t.Pattern}"))}  [{t.Format}{(t.IsSupported ? "" : ", not decoded by this version")}], {weight}");
            text.AppendLine($"  {"",-12} {t.Encoding}");
            if (t.ClassNames is { Count: > 0 }) text.AppendLine($"  {"",-12} {t.Classes} classes: {string.Join(", ", t.ClassNames)}");
        }
        text.AppendLine($"Source:  {Source.Url} ({Source.Archive}). {Source.Notes}");
        text.Append($"Reference code: {Reference}");
        return text.ToString();
    }
}
