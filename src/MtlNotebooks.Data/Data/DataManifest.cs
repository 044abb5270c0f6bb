using System.Text.Json;
using System.Text.Json.Serialization;

namespace MtlNotebooks.Data;

/// <summary>Where a data set comes from (documentation only: nothing downloads).</summary>
public sealed record ManifestSource(string Url, string? AlternativeUrl, string Archive, string Notes);

/// <summary>The input images: folder, file pattern (<c>{id}</c> = the sample id), format and, when fixed, the size.</summary>
public sealed record ManifestImage(string Folder, string Pattern, string Format, int? Height = null, int? Width = null);

/// <summary>A split: the list file of sample ids (one per line) and the expected count.</summary>
public sealed record ManifestSplit(string Name, string List, int Count);

/// <summary>One task's labels: folders tried in order, the file pattern, the label format and its encoding.</summary>
/// <remarks>Formats: <c>png-classes</c> (class map; <see cref="ZeroIsIgnore"/> and <see cref="Offset"/> as NYUD's
/// semseg), <c>png-binary</c> (grey, value/255 &gt; 0.5), <c>png-normals</c> (RGB, 2·value/255 − 1; with
/// <see cref="MaskPattern"/>, zeroed where the LabelMap class is not in <see cref="MaskValidClasses"/>), <c>npy-depth</c>,
/// <c>npy-normals</c>, <c>npy-edge</c>, <c>mat-labelmap-edges</c> (edges of a MATLAB LabelMap) and
/// <c>mat-human-parts</c> (Pascal-Part annotations grouped into 6 parts): see <see cref="PascalLabels"/>.</remarks>
public sealed record ManifestTask(
    string Name,
    IReadOnlyList<string> Folders,
    string Pattern,
    string Format,
    string Encoding,
    int? Classes = null,
    bool ZeroIsIgnore = false,
    int Offset = 0,
    IReadOnlyList<string>? ClassNames = null,
    string? MaskPattern = null,
    IReadOnlyList<int>? MaskValidClasses = null)
{
    /// <summary>Whether the loader can decode this format.</summary>
    [JsonIgnore]
    public bool IsSupported => DataManifest.SupportedFormats.Contains(Format);
}

/// <summary>Training setup notes of a data set.</summary>
public sealed record ManifestTraining(int Height, int Width, string Notes);

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
