using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using MtlNotebooks.Runtime;
using MtlNotebooks.Scripting;

namespace MtlNotebooks.Cli;

/// <summary><c>site build</c>: executes the notebooks in course order, each in a child process as <c>notebook</c> runs
/// it, and writes the course site (<see cref="CourseSite"/>): a page per notebook with previous/next links and an
/// index with each notebook's goal and time. The folder it writes is its own: a folder that holds other files is refused,
/// and a rebuild replaces only what the last build listed in <c>site.json</c>.</summary>
internal static class SiteCommands
{
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
        var files = Directory.GetFiles(notebookFolder, "*.ipynb").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)
            .Where(f => only.Length == 0 || only.Contains(Path.GetFileNameWithoutExtension(f), StringComparer.Ordinal)).ToList();
        var unknown = only.Where(o => !files.Contains(o + ".ipynb", StringComparer.Ordinal)).ToArray();
        if (unknown.Length > 0) throw new ArgumentException($"--only: no notebook {string.Join(", ", unknown)} in '{notebookFolder}'.");
        if (files.Count == 0) throw new ArgumentException($"--notebooks: '{notebookFolder}' holds no .ipynb file.");
        var written = PrepareFolder(output);
        var planned = new List<string> { CourseSite.IndexFile, ListFile };
        foreach (var file in files) planned.AddRange([Path.ChangeExtension(file, ".html"), file]);
        // Listed before anything is written, so a build that stops halfway leaves a folder the next build may write into.
        AtomicFile.WriteAllText(Path.Combine(output, ListFile), JsonSerializer.Serialize(written.Union(planned).ToArray()));

        var entries = new List<CourseEntry>();
        var executed = new List<NotebookDocument>();
        foreach (var (file, k) in files.Select((f, k) => (f, k)))
        {
            var input = Path.Combine(notebookFolder, file);
            var target = Path.Combine(output, file);
            var clock = Stopwatch.StartNew();
            var (exit, said) = Execute(input, target, parameters);
            var ran = File.Exists(target) ? NotebookDocument.Load(target) : NotebookDocument.Load(input);
            var entry = CourseSite.Describe(ran, file) with { Elapsed = clock.Elapsed, Succeeded = exit == 0 };
            Console.WriteLine($"[{k + 1}/{files.Count}] {file}: {(exit == 0 ? "ran through" : "FAILED")} in {CourseSite.Duration(clock.Elapsed)}");
            if (exit != 0) Console.Error.WriteLine(said);
            entries.Add(entry);
            executed.Add(ran);
        }

        for (int k = 0; k < entries.Count; k++)
            AtomicFile.WriteAllText(Path.Combine(output, entries[k].Page),
                CourseSite.Page(executed[k], entries[k], k > 0 ? entries[k - 1] : null, k + 1 < entries.Count ? entries[k + 1] : null));
        var with = parameters.Length == 0 ? "the notebooks' own parameters" : string.Join(", ", parameters);
        AtomicFile.WriteAllText(Path.Combine(output, CourseSite.IndexFile), CourseSite.Index(entries,
            $"Built {DateTime.Now:yyyy-MM-dd HH:mm} with {with}; every notebook executed top to bottom, its outputs as they came out."));
        foreach (var stale in written.Except(planned)) File.Delete(Path.Combine(output, stale));
        AtomicFile.WriteAllText(Path.Combine(output, ListFile), JsonSerializer.Serialize(planned));
        int failed = entries.Count(e => e.Succeeded == false);
        Console.WriteLine($"Wrote {Path.Combine(output, CourseSite.IndexFile)}: {entries.Count} notebooks" + (failed > 0 ? $", {failed} failed." : "."));
        return failed > 0 ? 1 : 0;
    }

    /// <summary>The files the last build listed; a folder that holds anything else is not this command's to write into.</summary>
    private static IReadOnlyList<string> PrepareFolder(string output)
    {
        if (!Directory.Exists(output) || !Directory.EnumerateFileSystemEntries(output).Any())
        {
            Directory.CreateDirectory(output);
            return [];
        }
        var list = Path.Combine(output, ListFile);
        var present = Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName).OfType<string>().ToList();
        if (!File.Exists(list))
            throw new IOException($"--output: '{output}' holds files ({string.Join(", ", present.Take(5))}{(present.Count > 5 ? ", …" : "")}) and no {ListFile}, " +
                                  "so it is not a site this command built. Choose another folder or move them away.");
        var listed = JsonSerializer.Deserialize<string[]>(File.ReadAllText(list)) ?? [];
        var foreign = present.Except(listed).ToArray();
        if (foreign.Length > 0)
            throw new IOException($"--output: '{output}' holds files the last build did not write ({string.Join(", ", foreign.Take(5))}); " +
                                  "move them away or choose another folder.");
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
