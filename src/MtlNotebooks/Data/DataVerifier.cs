using System.Collections.Concurrent;

namespace MtlNotebooks.Data;

/// <summary>What <see cref="DataVerifier.Verify"/> found: every problem (one line each, naming the file) and what was checked.</summary>
public sealed record VerificationReport(string Root, DataManifest Manifest, IReadOnlyList<string> Problems, IReadOnlyList<string> Checked)
{
    public bool IsValid => Problems.Count == 0;

    /// <summary>The report as text: a summary line, what was checked, then the first <paramref name="maxProblems"/> problems.</summary>
    public string ToText(int maxProblems = 50)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine(IsValid
            ? $"{Manifest.Name} at {Root}: OK."
            : $"{Manifest.Name} at {Root}: {Problems.Count} problem(s).");
        foreach (var line in Checked) text.AppendLine("  " + line);
        foreach (var p in Problems.Take(maxProblems)) text.AppendLine("  - " + p);
        if (Problems.Count > maxProblems) text.AppendLine($"  … and {Problems.Count - maxProblems} more.");
        return text.ToString().TrimEnd();
    }
}

/// <summary>Checks a folder against a <see cref="DataManifest"/>: split lists and their counts, that every image and label
/// file exists and is readable, and that every label has its image's size (from the headers). With <c>full</c> it also
/// decodes every label and checks its values (class range, unit normals, edge values) as training would.</summary>
public static class DataVerifier
{
    public static VerificationReport Verify(DataManifest manifest, string root, bool full = false)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        var problems = new ConcurrentBag<string>();
        var checkedLines = new List<string>();
        if (!Directory.Exists(root))
            return new VerificationReport(root, manifest,
                [$"{root}: the data root does not exist. {manifest.Source.Archive} comes from {manifest.Source.Url}; {manifest.Source.Notes}"], checkedLines);

        foreach (var folder in new[] { manifest.Image.Folder }.Concat(manifest.Tasks.Select(t => t.Folders[0])))
        {
            var path = Path.Combine(root, folder);
            if (!Directory.Exists(path) && !manifest.Tasks.Any(t => t.Folders[0] == folder && t.Folders.Skip(1).Any(f => Directory.Exists(Path.Combine(root, f)))))
                problems.Add($"{path}: folder is missing.");
        }

        foreach (var split in manifest.Splits)
        {
            var listPath = Path.Combine(root, split.List);
            if (!File.Exists(listPath))
            {
                problems.Add($"{listPath}: split list '{split.Name}' is missing (expected {split.Count:N0} ids).");
                continue;
            }
            var ids = File.ReadAllLines(listPath).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
            if (ids.Count != split.Count)
                problems.Add($"{listPath}: lists {ids.Count:N0} ids; {manifest.Name} '{split.Name}' has {split.Count:N0}.");
            foreach (var dup in ids.GroupBy(i => i).Where(g => g.Count() > 1).Select(g => g.Key))
                problems.Add($"{listPath}: id '{dup}' appears more than once.");
            int before = problems.Count;
            Parallel.ForEach(ids.Distinct(), id => CheckSample(manifest, root, id, full, problems));
            checkedLines.Add($"{split.Name}: {ids.Count:N0} ids ({listPath}), image and {manifest.Tasks.Count} label files each{(full ? ", labels decoded" : ", headers read")}; {problems.Count - before} problem(s).");
        }
        var sorted = problems.OrderBy(p => p, StringComparer.Ordinal).ToList();
        return new VerificationReport(root, manifest, sorted, checkedLines);
    }

    private static void CheckSample(DataManifest manifest, string root, string id, bool full, ConcurrentBag<string> problems)
    {
        var imagePath = Path.Combine(root, manifest.Image.Folder, manifest.Image.Pattern.Replace("{id}", id));
        int height, width;
        try
        {
            (height, width) = ImageIO.ReadSize(imagePath);
            if (manifest.Image.Height is int h && manifest.Image.Width is int w && (height != h || width != w))
                problems.Add($"{imagePath}: is {height}x{width}; {manifest.Name} images are {h}x{w}.");
        }
        catch (DataSetException ex)
        {
            problems.Add(ex.Message);
            height = width = -1;
        }
        foreach (var task in manifest.Tasks)
        {
            var path = ManifestDataset.ResolveLabel(root, task, id);
            try
            {
                if (!File.Exists(path))
                {
                    problems.Add($"{path}: is missing (label '{task.Name}'{(task.Folders.Count > 1 ? $"; also looked in {string.Join(", ", task.Folders.Skip(1))}" : "")}).");
                    continue;
                }
                if (height < 0) continue;
                if (full && task.IsSupported)
                {
                    LabelDecoder.Decode(task, path, height, width, imagePath, ManifestDataset.MaskPath(root, task, id));
                    continue;
                }
                (int H, int W)? size = task.Format switch
                {
                    "png-classes" or "png-binary" or "png-normals" => ImageIO.ReadPngSize(path),
                    "npy-depth" or "npy-edge" or "npy-normals" => Plane(NpyFile.ReadShape(path)),
                    _ => null,
                };
                if (size is { } s && (s.H != height || s.W != width))
                    problems.Add($"{path}: is {s.H}x{s.W} but its image {imagePath} is {height}x{width}.");
            }
            catch (DataSetException ex)
            {
                problems.Add(ex.Message);
            }
            catch (IOException ex)
            {
                problems.Add($"{path}: cannot be read ({ex.Message}).");
            }
        }
    }

    private static (int, int)? Plane(IReadOnlyList<int> shape) => shape.Count >= 2 ? (shape[0], shape[1]) : null;
}
