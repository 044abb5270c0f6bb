using System.Collections.Concurrent;

namespace MtlNotebooks.Data;

/// <summary>Checks a folder against a <see cref="DataManifest"/>: the manifest itself, that its paths and the split lists'
/// ids stay under the root (<see cref="ManifestPaths"/>), split lists (counts, repeated ids, ids in more than one split),
/// and per sample that the image and every label file exist and are whole. By default
/// it reads headers only: image sizes and completeness (JPEG end marker, PNG chunks up to IEND), label PNG sizes and
/// channels, .npy shapes against the image and the task's channels and against the file's length, MAT-file structure.
/// With <c>full</c> it decodes every image and label and checks the values (class range, unit normals, edge values) as
/// training would. It never throws: every problem, expected or not, is a line of the report.</summary>
public static class DataVerifier
{
    /// <summary>How many ids a list-level problem quotes.</summary>
    private const int Examples = 5;

    public static VerificationReport Verify(DataManifest manifest, string root, bool full = false)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var general = new List<string>();
        var problems = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var checkedLines = new List<string>();
        try
        {
            // A manifest built in code has not been through Load's schema check; a task it would skip is reported here.
            general.AddRange(manifest.Validate().Select(p => $"manifest '{manifest.Id}': {p}"));
            if (string.IsNullOrWhiteSpace(root)) general.Add("the data root is empty: pass the folder that holds the data set.");
            else if (!Directory.Exists(root))
                general.Add($"{root}: the data root does not exist. {manifest.Source.Archive} comes from {manifest.Source.Url}; {manifest.Source.Notes}");
            else VerifyFolder(manifest, root, full, general, problems, checkedLines);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Only a manifest too broken to walk gets here (its problems are listed above); the report still comes back.
            general.Add($"{root}: verification stopped early ({ex.GetType().Name}: {ex.Message}); fix the problems above and run it again.");
        }
        var lines = general.Concat(problems.Keys.Order(StringComparer.Ordinal)).ToList();
        return new VerificationReport(root, manifest, lines, checkedLines);
    }

    private static void VerifyFolder(DataManifest manifest, string rootPath, bool full, List<string> general,
        ConcurrentDictionary<string, byte> problems, List<string> checkedLines)
    {
        var root = new DataRootPath(rootPath);
        var outside = ManifestPaths.CheckFields(manifest, root);
        if (outside.Count > 0)
        {
            // Every file path is built from these fields: nothing is opened while one of them leaves the root.
            general.AddRange(outside.Select(ex => ex.Message));
            return;
        }
        foreach (var folder in new[] { manifest.Image.Folder }.Concat(manifest.Tasks.Select(t => t.Folders[0])))
        {
            var path = ManifestPaths.Folder(manifest, root, folder);
            if (!Directory.Exists(path) && !manifest.Tasks.Any(t => t.Folders[0] == folder && t.Folders.Skip(1).Any(f => Directory.Exists(ManifestPaths.Folder(manifest, root, f)))))
                general.Add($"{path}: folder is missing.");
        }

        var splits = new List<(ManifestSplit Split, string ListPath, List<string> Ids)>();
        var done = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        foreach (var split in manifest.Splits)
        {
            var listPath = ManifestPaths.List(manifest, root, split);
            var lines = ReadList(split, listPath, general);
            if (lines is null) continue;
            var ids = lines.Select(l => l.Id).ToList();
            // An id whose files would leave the root is reported with its line and never checked.
            var refused = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (line, id) in lines)
            {
                try
                {
                    ManifestPaths.CheckId(manifest, root, listPath, line, id);
                }
                catch (DataSetException ex)
                {
                    general.Add(ex.Message);
                    refused.Add(id);
                }
            }
            if (ids.Count != split.Count)
                general.Add($"{listPath}: lists {ids.Count:N0} ids; {manifest.Name} '{split.Name}' has {split.Count:N0}.");
            var repeated = ids.GroupBy(i => i).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (repeated.Count > 0) general.Add($"{listPath}: {Quote(repeated)} more than once.");
            splits.Add((split, listPath, ids));
            // An id listed in two splits is checked once; the overlap itself is reported below.
            var fresh = ids.Distinct().Where(id => !refused.Contains(id) && done.TryAdd(id, 0)).ToList();
            int before = problems.Count;
            Parallel.ForEach(fresh, id => CheckSample(manifest, root, id, full, problems));
            checkedLines.Add($"{split.Name}: {ids.Count:N0} ids ({listPath}), image and {manifest.Tasks.Count} label files each" +
                             $"{(full ? ", all decoded" : ", headers read")}; {problems.Count - before} problem(s).");
        }

        int overlaps = 0;
        for (int a = 0; a < splits.Count; a++)
            for (int b = a + 1; b < splits.Count; b++)
            {
                var first = splits[a].Ids.ToHashSet(StringComparer.Ordinal);
                var shared = splits[b].Ids.Where(first.Contains).Distinct().ToList();
                if (shared.Count == 0) continue;
                overlaps++;
                general.Add($"{splits[b].ListPath}: {shared.Count:N0} id(s) of split '{splits[b].Split.Name}' are also in split '{splits[a].Split.Name}' " +
                            $"({splits[a].ListPath}), so evaluation would see training samples: {Quote(shared, verb: false)}.");
            }
        if (splits.Count > 1 && overlaps == 0) checkedLines.Add($"splits: no id is in more than one of {string.Join(", ", splits.Select(s => s.Split.Name))}.");
    }

    private static List<(int Line, string Id)>? ReadList(ManifestSplit split, string listPath, List<string> general)
    {
        if (!File.Exists(listPath))
        {
            general.Add($"{listPath}: split list '{split.Name}' is missing (expected {split.Count:N0} ids).");
            return null;
        }
        try
        {
            return ManifestPaths.ReadList(listPath).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            general.Add($"{listPath}: split list '{split.Name}' cannot be read ({ex.Message}).");
            return null;
        }
    }

    /// <summary>"3 ids appear: a, b, c" with at most <see cref="Examples"/> ids quoted.</summary>
    private static string Quote(IReadOnlyList<string> ids, bool verb = true)
    {
        var shown = string.Join(", ", ids.Take(Examples).Select(i => $"'{i}'")) + (ids.Count > Examples ? ", …" : "");
        return verb ? $"{ids.Count:N0} id(s) appear{(ids.Count == 1 ? "s" : "")} ({shown})" : shown;
    }

    private static void CheckSample(DataManifest manifest, DataRootPath root, string id, bool full, ConcurrentDictionary<string, byte> problems)
    {
        var imagePath = ManifestPaths.Image(manifest, root, id);
        int height = -1, width = -1;
        Guard(problems, imagePath, () =>
        {
            (height, width) = full ? Decoded(imagePath) : ImageIO.ReadSize(imagePath);
            if (manifest.Image.Height is int h && manifest.Image.Width is int w && (height != h || width != w))
                problems.TryAdd($"{imagePath}: is {height}x{width}; {manifest.Name} images are {h}x{w}.", 0);
        });
        foreach (var task in manifest.Tasks)
        {
            var path = ManifestPaths.Label(root, task, id);
            var maskPath = ManifestPaths.Mask(root, task, id);
            Guard(problems, path, () =>
            {
                if (!File.Exists(path))
                {
                    problems.TryAdd($"{path}: is missing (label '{task.Name}'{(task.Folders.Count > 1 ? $"; also looked in {string.Join(", ", task.Folders.Skip(1))}" : "")}).", 0);
                    return;
                }
                if (full && task.IsSupported && height > 0) LabelDecoder.Decode(task, path, height, width, imagePath, maskPath);
                else CheckHeaders(task, path, height, width, imagePath);
            });
            if (maskPath is not null && !full) Guard(problems, maskPath, () => MatFile.CheckStructure(maskPath));
        }
    }

    private static (int, int) Decoded(string imagePath)
    {
        var image = ImageIO.ReadRgb(imagePath);
        return (image.Height, image.Width);
    }

    /// <summary>What the headers say: sizes against the image (when its size is known), channels, whole files.</summary>
    private static void CheckHeaders(ManifestTask task, string path, int height, int width, string imagePath)
    {
        (int H, int W)? size = null;
        switch (task.Format)
        {
            case "png-classes" or "png-binary" or "png-normals":
                var png = ImageIO.ReadPngHeader(path);
                LabelDecoder.CheckChannels(task, path, png.Channels);
                size = (png.Height, png.Width);
                break;
            case "npy-depth" or "npy-edge" or "npy-normals":
                size = LabelDecoder.Plane(path, NpyFile.ReadHeader(path).Shape, ManifestDataset.Channels(task));
                break;
            case "mat-human-parts" or "mat-labelmap-edges":
                MatFile.CheckStructure(path);
                break;
        }
        if (size is { } s && height > 0) LabelDecoder.CheckSize(path, s.H, s.W, height, width, imagePath);
    }

    /// <summary>Runs one file's check; whatever it throws becomes a problem line naming the file.</summary>
    private static void Guard(ConcurrentDictionary<string, byte> problems, string path, Action check)
    {
        try
        {
            check();
        }
        catch (DataSetException ex)
        {
            problems.TryAdd(ex.Message, 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.TryAdd($"{path}: cannot be read ({ex.Message}).", 0);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A decoder bug must not end the whole verification; the line says which file triggered it.
            problems.TryAdd($"{path}: could not be checked ({ex.GetType().Name}: {ex.Message}).", 0);
        }
    }
}
