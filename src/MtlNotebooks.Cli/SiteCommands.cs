using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using MtlNotebooks.Runtime;
using MtlNotebooks.Scripting;

namespace MtlNotebooks.Cli;

/// <summary><c>site build</c>: executes the notebooks in course order, each in a child process as <c>notebook</c> runs
/// it, and writes the course site (<see cref="CourseSite"/>): a page per notebook with previous/next links and an
/// index with each notebook's goal and time. The folder it writes is its own: a folder that holds other files is refused,
/// and a rebuild replaces only what the last build listed in <c>site.json</c>; <c>--only</c> reruns some notebooks and
/// keeps the others' pages.</summary>
internal static class SiteCommands
{
    /// <summary>site.json: the files a build wrote, and each notebook's last run.</summary>
    private sealed record SiteList(string[] Files, Dictionary<string, SiteRun> Runs);

    private sealed record SiteRun(double Seconds, bool Succeeded);

    private const string ListFile = "site.json";

    public static Command Create()
    {
        var notebooks = new Option<string>("--notebooks") { Description = "The folder of numbered notebooks.", DefaultValueFactory = _ => "notebooks" };
        var output = new Option<string>("--output", "-o") { Description = "The site's folder.", DefaultValueFactory = _ => Path.Combine("runs", "site") };
        var parameters = new Option<string[]>("--parameter", "-p")
        {
            Description = "A parameter for every notebook, as for `notebook`: -p smoke=true builds the site in minutes (repeatable).",
            DefaultValueFactory = _ => [],
        };
        var only = new Option<string[]>("--only") { Description = "Build only these notebooks (file names without .ipynb; repeatable).", DefaultValueFactory = _ => [] };
        var build = new Command("build", "Execute the notebooks and write them as a static site that opens offline: an index in course order, a page per notebook.")
        {
            notebooks, output, parameters, only,
        };
        build.SetAction(parse => CliError.ReportingFileErrors(() =>
            Build(parse.GetValue(notebooks)!, parse.GetValue(output)!, parse.GetValue(parameters) ?? [], parse.GetValue(only) ?? [])));
        var site = new Command("site", "The notebooks as a course site.");
        site.Add(build);
        return site;
    }

    private static int Build(string notebookFolder, string output, string[] parameters, string[] only)
    {
        if (!Directory.Exists(notebookFolder)) throw new ArgumentException($"--notebooks: the folder '{notebookFolder}' does not exist.");
        var all = Directory.GetFiles(notebookFolder, "*.ipynb").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var unknown = only.Where(o => !all.Contains(o + ".ipynb", StringComparer.Ordinal)).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"--only: no notebook {string.Join(", ", unknown)} in '{notebookFolder}' (name it without .ipynb).");
        if (all.Count == 0) throw new ArgumentException($"--notebooks: '{notebookFolder}' holds no .ipynb file.");
        var run = all.Where(f => only.Length == 0 || only.Contains(Path.GetFileNameWithoutExtension(f), StringComparer.Ordinal)).ToList();
        var previous = PrepareFolder(output);
        var planned = new List<string> { CourseSite.IndexFile, ListFile };
        foreach (var file in all) planned.AddRange([Path.ChangeExtension(file, ".html"), file]);
        // Listed before anything is written, so a build that stops halfway leaves a folder the next build may write into.
        var runs = new Dictionary<string, SiteRun>(previous.Runs, StringComparer.Ordinal);
        Save(output, new SiteList([.. previous.Files.Union(planned)], runs));

        // Titles and goals come from the notebooks themselves, so every page links its neighbours as soon as it is written.
        var entries = all.Select(f => Describe(Path.Combine(notebookFolder, f), f)).ToList();
        foreach (var (file, k) in run.Select((f, k) => (f, k)))
        {
            var target = Path.Combine(output, file);
            File.Delete(target);   // this build's outputs or none: never the last build's shown as this one's
            var clock = Stopwatch.StartNew();
            var (exit, said) = Execute(Path.Combine(notebookFolder, file), target, parameters);
            runs[file] = new SiteRun(Math.Round(clock.Elapsed.TotalSeconds, 1), exit == 0);
            Console.WriteLine($"[{k + 1}/{run.Count}] {file}: {(exit == 0 ? "ran through" : "FAILED")} in {CourseSite.Duration(clock.Elapsed)}");
            if (exit != 0) Console.Error.WriteLine(said);
            int at = all.IndexOf(file);
            AtomicFile.WriteAllText(Path.Combine(output, entries[at].Page), CourseSite.Page(Executed(target, file, said), entries[at],
                at > 0 ? entries[at - 1] : null, at + 1 < all.Count ? entries[at + 1] : null));
        }

        var shown = entries.Where(e => runs.ContainsKey(e.Notebook) && File.Exists(Path.Combine(output, e.Page)))
            .Select(e => e with { Elapsed = TimeSpan.FromSeconds(runs[e.Notebook].Seconds), Succeeded = runs[e.Notebook].Succeeded }).ToList();
        var with = parameters.Length == 0 ? "the notebooks' own parameters" : string.Join(", ", parameters);
        AtomicFile.WriteAllText(Path.Combine(output, CourseSite.IndexFile), CourseSite.Index(shown,
            $"Built {DateTime.Now:yyyy-MM-dd HH:mm} with {with}; every notebook executed top to bottom, its outputs as they came out."));
        if (only.Length == 0)
            foreach (var stale in previous.Files.Except(planned)) File.Delete(Path.Combine(output, stale));   // notebooks no longer in the course
        Save(output, new SiteList(only.Length == 0 ? [.. planned] : [.. previous.Files.Union(planned)],
            runs.Where(r => all.Contains(r.Key)).ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal)));
        int failed = run.Count(f => !runs[f].Succeeded);
        Console.WriteLine($"Wrote {Path.Combine(output, CourseSite.IndexFile)}: {run.Count} notebooks run" + (failed > 0 ? $", {failed} failed." : "."));
        return failed > 0 ? 1 : 0;
    }

    /// <summary>A notebook's title and goal, or its file name when it cannot be read (its page then says why).</summary>
    private static CourseEntry Describe(string path, string file)
    {
        try
        {
            return CourseSite.Describe(NotebookDocument.Load(path), file);
        }
        catch (Exception ex) when (ex is NotebookFormatException or IOException or System.Text.Json.JsonException)
        {
            return new CourseEntry(file, Path.GetFileNameWithoutExtension(file), "");
        }
    }

    /// <summary>The executed notebook, or a page that says why there is none.</summary>
    private static NotebookDocument Executed(string target, string file, string said)
    {
        if (File.Exists(target))
        {
            try
            {
                return NotebookDocument.Load(target);
            }
            catch (Exception ex) when (ex is NotebookFormatException or IOException or System.Text.Json.JsonException)
            {
                said = $"{said}\n{ex.Message}".Trim();
            }
        }
        var page = NotebookDocument.CreateCSharp();
        page.AddCell("markdown", $"# {file}\n\nThis notebook did not run; the runner said:\n\n```\n{said}\n```");
        return page;
    }

    private static void Save(string output, SiteList list) => AtomicFile.WriteAllText(Path.Combine(output, ListFile), JsonSerializer.Serialize(list));

    /// <summary>What the last build wrote. A folder that holds anything else is not this command's to write into; the
    /// temporary files of an interrupted write (<c>.name.*.tmp</c>, <c>.*.probe</c>) are its own and are removed.</summary>
    private static SiteList PrepareFolder(string output)
    {
        if (!Directory.Exists(output) || !Directory.EnumerateFileSystemEntries(output).Any())
        {
            Directory.CreateDirectory(output);
            return new SiteList([], []);
        }
        var list = Path.Combine(output, ListFile);
        var present = Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName).OfType<string>().ToList();
        if (!File.Exists(list))
            throw new IOException($"--output: '{output}' holds files ({string.Join(", ", present.Take(5))}{(present.Count > 5 ? ", …" : "")}) and no {ListFile}, " +
                                  "so it is not a site this command built. Choose another folder or move them away.");
        SiteList listed;
        try
        {
            listed = JsonSerializer.Deserialize<SiteList>(File.ReadAllText(list)) ?? throw new JsonException("empty");
        }
        catch (JsonException ex)
        {
            throw new IOException($"--output: '{list}' is not a list this command wrote ({ex.Message}); move the folder away or choose another.", ex);
        }
        var leftovers = present.Where(f => f.StartsWith('.') && (f.EndsWith(".tmp", StringComparison.Ordinal) || f.EndsWith(".probe", StringComparison.Ordinal))
                                           && listed.Files.Any(l => f.StartsWith("." + l + ".", StringComparison.Ordinal))).ToList();
        var foreign = present.Except(listed.Files).Except(leftovers).ToArray();
        if (foreign.Length > 0)
            throw new IOException($"--output: '{output}' holds files the last build did not write ({string.Join(", ", foreign.Take(5))}); " +
                                  "move them away or choose another folder.");
        foreach (var leftover in leftovers) File.Delete(Path.Combine(output, leftover));
        return listed;
    }

    /// <summary>Runs <c>notebook</c> on <paramref name="input"/> in a child process; its exit code and what it printed on error.</summary>
    private static (int Exit, string Said) Execute(string input, string target, string[] parameters)
    {
        var start = SelfProcess.StartInfo(["notebook", input, "-o", target, .. parameters.SelectMany(p => new[] { "-p", p })]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new IOException($"could not start the notebook runner for {input}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        _ = stdout.Result;
        return (process.ExitCode, stderr.Trim());
    }
}
