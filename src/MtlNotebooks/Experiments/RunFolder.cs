using MtlNotebooks.Runtime;
using System.Globalization;

namespace MtlNotebooks.Experiments;

/// <summary>The folder one experiment writes to, held by that experiment alone while it runs. It is checked before any
/// work (so a bad path fails in a second, not after training), records the settings and every file the run writes in
/// <c>run.json</c>, and owns only those files: an overwrite deletes exactly what the previous run listed, and a file the
/// user put there is never deleted or replaced.</summary>
public sealed class RunFolder : IDisposable
{
    /// <summary>The file that marks a folder as a run: the settings it was started with and the files it writes.</summary>
    public const string SettingsFile = "run.json";

    private readonly RunFolderLock _lock;
    private readonly ExistingRun _existing;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly RunManifest? _previous;
    private readonly bool _created;
    private bool _committed;

    private RunFolder(string folder, RunFolderLock held, ExistingRun existing, IReadOnlyDictionary<string, string> settings,
        IReadOnlyList<string> files, RunManifest? previous, bool created)
    {
        _created = created;
        Folder = folder;
        _lock = held;
        _existing = existing;
        _settings = settings;
        Files = files;
        _previous = previous;
    }

    /// <summary>The run folder.</summary>
    public string Folder { get; }

    /// <summary>The names of every file this run writes in <see cref="Folder"/>, <see cref="SettingsFile"/> and the lock included.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>True when a run already in the folder is being continued.</summary>
    public bool Resuming => _existing == ExistingRun.Resume;

    /// <summary><c>root/version_N</c> with N one past the highest existing, as Lightning names its runs: re-running a
    /// command never overwrites the previous result.</summary>
    public static string NextVersion(string root)
    {
        int next = Directory.Exists(root)
            ? Directory.GetDirectories(root, "version_*")
                .Select(d => int.TryParse(Path.GetFileName(d)["version_".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n + 1 : 0)
                .DefaultIfEmpty(0).Max()
            : 0;
        return Path.Combine(root, $"version_{next}");
    }

    /// <summary>Takes <paramref name="folder"/> for one run that will write <paramref name="outputs"/> (file names), before
    /// any work: the folder is created and locked (one writer at a time; a killed run's lock is free again), then a run
    /// already in it is refused, or (to resume) must have the same <paramref name="settings"/> and files, or (to
    /// overwrite) must have listed its files. Nothing is deleted or written but the lock (see <see cref="Commit"/>).
    /// Dispose releases the folder.</summary>
    /// <exception cref="ExistingRunException">The folder holds a run and <paramref name="existing"/> is Refuse.</exception>
    /// <exception cref="RunFolderInUseException">Another process is running in the folder (the message names it).</exception>
    /// <exception cref="ArgumentException">Resume of a folder with no run or with other settings, or overwrite of files no run listed (each named).</exception>
    /// <exception cref="IOException">The folder cannot be created or written, or holds files of the same names that no run
    /// listed (the message names them).</exception>
    public static RunFolder Open(string folder, ExistingRun existing, IReadOnlyDictionary<string, string> settings, IEnumerable<string> outputs)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (File.Exists(folder)) throw new IOException($"'{folder}' is a file; the run needs a folder there.");
        bool created = !Directory.Exists(folder);
        var files = outputs.Concat([SettingsFile, RunFolderLock.LockFile, RunFolderLock.OwnerFile]).Distinct().Order(StringComparer.Ordinal).ToArray();
        var held = Guarded(folder, () =>
        {
            Directory.CreateDirectory(folder);
            return RunFolderLock.Take(folder);
        });
        try
        {
            var previous = Previous(folder, existing, settings, files);
            return new RunFolder(folder, held, existing, settings, files, previous, created);
        }
        catch
        {
            held.Dispose();
            if (created) RunFolderLock.RemoveEmptyFolder(folder);
            throw;
        }
    }

    /// <summary>Starts (or continues) the run once everything is validated: an overwritten run's listed files are deleted
    /// and <see cref="SettingsFile"/> is written, atomically, with the settings and <see cref="Files"/>.</summary>
    public void Commit() => Guarded(Folder, () =>
    {
        if (_existing == ExistingRun.Overwrite && _previous?.Files is { } listed)
            // run.json is replaced atomically below, not deleted: a crash in between leaves a run that can still be overwritten.
            foreach (var name in listed.Where(f => f is not (RunFolderLock.LockFile or RunFolderLock.OwnerFile or SettingsFile)))
                DeleteWithLeftovers(name);
        AtomicFile.WriteAllText(Path.Combine(Folder, SettingsFile), new RunManifest(_settings, Files).ToJson());
        _committed = true;
    });

    /// <summary>Releases the folder; one this run created and never started (the run failed before <see cref="Commit"/>) is removed.</summary>
    public void Dispose()
    {
        _lock.Dispose();
        if (_created && !_committed) RunFolderLock.RemoveEmptyFolder(Folder);
    }

    /// <summary>The run already in the folder, checked against what <paramref name="existing"/> asks of it.</summary>
    private static RunManifest? Previous(string folder, ExistingRun existing, IReadOnlyDictionary<string, string> settings, IReadOnlyList<string> files)
    {
        var settingsPath = Path.Combine(folder, SettingsFile);
        var previous = File.Exists(settingsPath) ? RunManifest.Read(settingsPath) : null;
        var foreign = Directory.GetFiles(folder).Select(Path.GetFileName).OfType<string>()
            .Where(f => f is not (RunFolderLock.LockFile or RunFolderLock.OwnerFile)).Order(StringComparer.Ordinal).ToArray();
        switch (existing)
        {
            case ExistingRun.Refuse when previous is not null:
                throw new ExistingRunException(folder, File.GetLastWriteTimeUtc(settingsPath).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
            case ExistingRun.Refuse when foreign.Intersect(files).ToArray() is { Length: > 0 } clash:
                throw new IOException($"'{folder}' holds files this run would replace ({Named(clash)}) and no {SettingsFile}, so they are not a run's " +
                                      "to replace. Move them away, or choose another folder.");
            case ExistingRun.Resume when previous is null:
                throw new ArgumentException(foreign.Any(f => f.EndsWith(".ckpt", StringComparison.Ordinal))
                    ? $"'{folder}' has checkpoints but no {SettingsFile}: it cannot be checked, so it is not resumed."
                    : $"'{folder}' holds no run to resume (no {SettingsFile}).");
            case ExistingRun.Resume:
                previous!.ThrowIfDiffers(settingsPath, settings, files);
                break;
            case ExistingRun.Overwrite when previous is null && foreign.Length > 0:
                throw new ArgumentException($"Overwriting a run deletes only the files it listed in its {SettingsFile}, and '{folder}' has none; " +
                                            $"it holds {Named(foreign)}. Move them away or choose another folder.");
            case ExistingRun.Overwrite when previous?.Files is { } listed && foreign.Except(listed).Intersect(files).ToArray() is { Length: > 0 } theirs:
                throw new IOException($"'{folder}' holds files this run would write ({Named(theirs)}) that the previous run did not list in its " +
                                      $"{SettingsFile}, so they are not a run's to replace. Move them away, or choose another folder.");
            case ExistingRun.Overwrite when previous is { Files: null }:
                throw new ArgumentException($"'{settingsPath}' was written by an earlier version and does not list the run's files, so nothing " +
                                            $"can be deleted safely; the folder holds {Named(foreign)}. Delete what you no longer need, or choose another folder.");
        }
        return previous;
    }

    /// <summary>A listed file and the temporary files an interrupted atomic write of it left (<see cref="AtomicFile"/>).</summary>
    private void DeleteWithLeftovers(string name)
    {
        if (Path.GetFileName(name) != name) return;   // a list edited by hand may not reach outside the folder
        File.Delete(Path.Combine(Folder, name));
        foreach (var temp in Directory.GetFiles(Folder, $".{name}.*.tmp")) File.Delete(temp);
    }

    private static string Named(IReadOnlyList<string> files) =>
        string.Join(", ", files.Take(6)) + (files.Count > 6 ? $" and {files.Count - 6} more" : "");

    private static void Guarded(string folder, Action action) => Guarded<object?>(folder, () =>
    {
        action();
        return null;
    });

    private static T Guarded<T>(string folder, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (ex is not RunFolderInUseException and (UnauthorizedAccessException or IOException or NotSupportedException))
        {
            throw new IOException($"Cannot write the run folder '{folder}': {ex.Message}", ex);
        }
    }
}
