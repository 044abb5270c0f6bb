namespace MtlNotebooks.Data;

/// <summary>
/// The paths a <see cref="DataManifest"/> makes under a data root, for <see cref="ManifestDataset"/> and
/// <see cref="DataVerifier"/> alike, all joined through <see cref="DataRootPath"/>. The manifest's fields are checked
/// once (<see cref="CheckFields"/>) and every id as its split list is read (<see cref="CheckId"/>), so a path that leaves
/// the root is refused naming the field, or the list's file and line, before any sample file is opened.
/// </summary>
internal static class ManifestPaths
{
    /// <summary>Where the manifest's paths come from, in messages (a manifest built in code has no file).</summary>
    private static string Source(DataManifest manifest) => $"manifest '{manifest.Id}'";

    // A sample's file. Ids are checked with their list's line as the list is read (CheckId), so this refuses only an id
    // given directly to ManifestDataset.ImagePath or LabelPath.
    private static string IdPath(DataRootPath root, string id, params string[] parts) => root.Join(root.Root, $"id '{id}'", parts);

    /// <summary>The image of sample <paramref name="id"/>.</summary>
    public static string Image(DataManifest manifest, DataRootPath root, string id) =>
        IdPath(root, id, manifest.Image.Folder, manifest.Image.Pattern.Replace("{id}", id));

    /// <summary>The label of sample <paramref name="id"/> for <paramref name="task"/>: the first folder where it exists,
    /// else the first folder (for the error message).</summary>
    public static string Label(DataRootPath root, ManifestTask task, string id)
    {
        var file = task.Pattern.Replace("{id}", id);
        foreach (var folder in task.Folders)
        {
            var candidate = IdPath(root, id, folder, file);
            if (File.Exists(candidate)) return candidate;
        }
        return IdPath(root, id, task.Folders[0], file);
    }

    /// <summary>The class-map file whose LabelMap masks <paramref name="task"/>'s labels, if the manifest names one.</summary>
    public static string? Mask(DataRootPath root, ManifestTask task, string id) =>
        task.MaskPattern is null ? null : IdPath(root, id, task.MaskPattern.Replace("{id}", id));

    /// <summary>A folder the manifest names (checked by <see cref="CheckFields"/>).</summary>
    public static string Folder(DataManifest manifest, DataRootPath root, string folder) => root.Join(Source(manifest), $"folder '{folder}'", folder);

    /// <summary>The list file of <paramref name="split"/>.</summary>
    public static string List(DataManifest manifest, DataRootPath root, ManifestSplit split) =>
        root.Join(Source(manifest), $"splits.{split.Name}.list '{split.List}'", split.List);

    /// <summary>Joins every folder, pattern and split list of the manifest to the root: one error per field that leaves
    /// it, naming the field and its value (empty when all stay under the root). Checked field by field (a pattern within
    /// a folder that passed), so that a sample path leaving the root afterwards can only be its id's doing.</summary>
    public static IReadOnlyList<DataSetException> CheckFields(DataManifest manifest, DataRootPath root)
    {
        var at = Source(manifest);
        var problems = new List<DataSetException>();
        bool Stays(string what, params string[] parts)
        {
            try
            {
                root.Join(at, what, parts);
                return true;
            }
            catch (DataSetException ex)
            {
                problems.Add(ex);
                return false;
            }
        }

        var image = manifest.Image;
        if (Stays($"image.folder '{image.Folder}'", image.Folder)) Stays($"image.pattern '{image.Pattern}'", image.Folder, image.Pattern);
        foreach (var split in manifest.Splits) Stays($"splits.{split.Name}.list '{split.List}'", split.List);
        foreach (var task in manifest.Tasks)
        {
            for (int i = 0; i < task.Folders.Count; i++)
                if (Stays($"tasks.{task.Name}.folders[{i}] '{task.Folders[i]}'", task.Folders[i]))
                    Stays($"tasks.{task.Name}.pattern '{task.Pattern}'", task.Folders[i], task.Pattern);
            if (task.MaskPattern is { } mask) Stays($"tasks.{task.Name}.maskPattern '{mask}'", mask);
        }
        return problems;
    }

    /// <summary>The ids of a split list with their line numbers (trimmed; blank lines skipped).</summary>
    public static IEnumerable<(int Line, string Id)> ReadList(string listPath) =>
        File.ReadAllLines(listPath).Select((text, i) => (Line: i + 1, Id: text.Trim())).Where(l => l.Id.Length > 0);

    /// <summary>Joins every file the manifest makes of <paramref name="id"/> (image, each label folder, mask) to the
    /// root without touching them: an id that leaves the root is an error naming the list's file and line.</summary>
    public static void CheckId(DataManifest manifest, DataRootPath root, string listPath, int line, string id)
    {
        try
        {
            Image(manifest, root, id);
            foreach (var task in manifest.Tasks)
            {
                foreach (var folder in task.Folders) IdPath(root, id, folder, task.Pattern.Replace("{id}", id));
                Mask(root, task, id);
            }
        }
        catch (DataSetException ex)
        {
            throw new DataSetException(listPath, $"line {line}: {ex.Problem}", ex);
        }
    }
}
