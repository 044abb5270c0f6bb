using System.Globalization;
using System.Text.Json;

namespace MtlNotebooks.Experiments;

/// <summary>The folder one experiment writes to. It is checked before any work (so a bad path fails in a second, not
/// after training), records the settings in <c>run.json</c>, and decides what happens to a run already there.</summary>
public static class RunFolder
{
    /// <summary>The file that marks a folder as a run and records the settings it was started with.</summary>
    public const string SettingsFile = "run.json";

    private static readonly string[] RunFilePatterns = ["*.ckpt", "metrics.csv", "delta_m.csv", "delta_m_per_seed.csv", "report.html", SettingsFile];

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

    /// <summary>Checks <paramref name="folder"/> before any work: it can be created and written, and a run already in it is
    /// refused, or (to resume) was started with the same <paramref name="settings"/>. Nothing is deleted or written yet
    /// (see <see cref="Commit"/>). Returns true when a run is being resumed.</summary>
    /// <exception cref="ExistingRunException">The folder holds a run and <paramref name="existing"/> is Refuse.</exception>
    /// <exception cref="ArgumentException">Resume of a folder with no run, or with other settings (each difference named).</exception>
    /// <exception cref="IOException">The folder cannot be created or written (the message names it).</exception>
    public static bool Check(string folder, ExistingRun existing, IReadOnlyDictionary<string, string> settings)
    {
        if (File.Exists(folder)) throw new IOException($"'{folder}' is a file; the run needs a folder there.");
        var settingsPath = Path.Combine(folder, SettingsFile);
        bool holdsRun = RunFiles(folder).Length > 0;
        if (holdsRun && existing == ExistingRun.Refuse)
            throw new ExistingRunException(folder, File.Exists(settingsPath)
                ? File.GetLastWriteTimeUtc(settingsPath).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)
                : "by an earlier version, without run.json");
        if (existing == ExistingRun.Resume)
        {
            if (!holdsRun) throw new ArgumentException($"'{folder}' holds no run to resume (no {SettingsFile} and no checkpoint).");
            ThrowIfSettingsDiffer(settingsPath, settings);
        }
        Guarded(folder, () =>
        {
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        });
        return holdsRun && existing == ExistingRun.Resume;
    }

    /// <summary>Starts (or continues) the run once everything is validated: an overwritten run's files are deleted and
    /// the settings are written to <see cref="SettingsFile"/>, atomically.</summary>
    public static void Commit(string folder, ExistingRun existing, IReadOnlyDictionary<string, string> settings) =>
        Guarded(folder, () =>
        {
            if (existing == ExistingRun.Overwrite)
                foreach (var file in RunFiles(folder)) File.Delete(file);
            AtomicFile.WriteAllText(Path.Combine(folder, SettingsFile), JsonSerializer.Serialize(settings, new JsonSerializerOptions { WriteIndented = true }));
        });

    private static string[] RunFiles(string folder) =>
        Directory.Exists(folder) ? RunFilePatterns.SelectMany(p => Directory.GetFiles(folder, p)).ToArray() : [];

    private static void Guarded(string folder, Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException or NotSupportedException)
        {
            throw new IOException($"Cannot write the run folder '{folder}': {ex.Message}", ex);
        }
    }

    private static void ThrowIfSettingsDiffer(string settingsPath, IReadOnlyDictionary<string, string> settings)
    {
        if (!File.Exists(settingsPath))
            throw new ArgumentException($"'{Path.GetDirectoryName(settingsPath)}' has checkpoints but no {SettingsFile}: it cannot be checked, so it is not resumed.");
        Dictionary<string, string>? saved;
        try
        {
            saved = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(settingsPath));
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"'{settingsPath}' is not readable ({ex.Message}); the run cannot be resumed.", ex);
        }
        saved ??= [];
        var differences = settings.Keys.Union(saved.Keys)
            .Where(k => settings.GetValueOrDefault(k) != saved.GetValueOrDefault(k))
            .Select(k => $"{k}: the run has {saved.GetValueOrDefault(k) ?? "(none)"}, these settings ask for {settings.GetValueOrDefault(k) ?? "(none)"}")
            .ToArray();
        if (differences.Length > 0)
            throw new ArgumentException($"'{settingsPath}' was started with other settings; resume with the same ones:" + Environment.NewLine +
                                        string.Join(Environment.NewLine, differences.Select(d => "  - " + d)));
    }
}
