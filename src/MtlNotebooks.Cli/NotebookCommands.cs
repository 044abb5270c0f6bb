using System.CommandLine;
using MtlNotebooks.Scripting;

namespace MtlNotebooks.Cli;

/// <summary><c>notebook</c> runs a .NET Interactive C# notebook headlessly (papermill-style parameters, executed copy,
/// HTML export); <c>script</c> runs a .csx file as dotnet-script does.</summary>
internal static class NotebookCommands
{
    public static Command CreateNotebook()
    {
        var path = new Argument<string>("path") { Description = "The .ipynb file to run." };
        var parameters = new Option<string[]>("--parameter", "-p")
        {
            Description = "Override a parameter of the cell tagged \"parameters\": -p smoke=true (repeatable).",
            DefaultValueFactory = _ => [],
        };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Where to write the executed notebook, after every cell (default: runs/notebooks/<name>.ipynb; never the input).",
        };
        var html = new Option<string?>("--html") { Description = "Also export the executed notebook as a standalone HTML page." };
        var timeout = new Option<double?>("--timeout")
        {
            Description = "Seconds a code cell may run (papermill's --execution-timeout); a cell that runs longer is recorded as timed out, " +
                          "the notebook is written and the command exits with 1.",
        };
        var totalTimeout = new Option<double?>("--total-timeout") { Description = "Seconds the whole notebook may run, checked the same way." };
        var worker = new Option<string?>(NotebookSupervisor.WorkerOption) { Hidden = true, Description = "Internal: run the cells here, reporting to this status file." };
        var command = new Command("notebook", "Run a notebook's code cells top to bottom (in a child process) and write it with its outputs.")
        {
            path, parameters, output, html, timeout, totalTimeout, worker,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!TryLimit("--timeout", parse.GetValue(timeout), out var cellLimit) || !TryLimit("--total-timeout", parse.GetValue(totalTimeout), out var totalLimit))
                return 2;
            var request = new NotebookRequest(parse.GetValue(path)!, parse.GetValue(parameters) ?? [], parse.GetValue(output), parse.GetValue(html),
                cellLimit, totalLimit) { StatusPath = parse.GetValue(worker) };
            if (request.StatusPath is null)
                return await NotebookSupervisor.RunAsync(parse.Tokens.Select(t => t.Value).ToArray(), DefaultOutput(request), request.Html, cancellationToken);
            NotebookSupervisor.ExitWhenParentEnds();
            try
            {
                return await RunNotebookAsync(request, cancellationToken);
            }
            finally
            {
                NotebookSupervisor.Report(request.StatusPath, cell: null);
            }
        });
        return command;
    }

    public static Command CreateScript()
    {
        var path = new Argument<string>("path") { Description = "The .csx file to run." };
        var args = new Argument<string[]>("args")
        {
            Description = "Arguments for the script (after --), available to it as Args.",
            Arity = ArgumentArity.ZeroOrMore,
            DefaultValueFactory = _ => [],
        };
        var timeout = new Option<double?>("--timeout")
        {
            Description = "Seconds the script may run; past that it is reported as timed out and the command exits with 1.",
        };
        var command = new Command("script", "Run a C# script (.csx) with #r \"nuget: …\", #load and Args, like dotnet-script.") { path, args, timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!TryLimit("--timeout", parse.GetValue(timeout), out var limit))
                return 2;
            var result = await ScriptRunner.RunAsync(parse.GetValue(path)!, parse.GetValue(args) ?? [], limit, cancellationToken);
            if (result.Error is not null)
                await Console.Error.WriteLineAsync($"error: {result.Error}");
            return result.ExitCode;
        });
        return command;
    }

    /// <summary>What <c>notebook</c> was asked to do.</summary>
    private sealed record NotebookRequest(string Path, string[] Pairs, string? Output, string? Html, TimeSpan? CellTimeout, TimeSpan? TotalTimeout)
    {
        /// <summary>Set in the child process that runs the cells (<see cref="NotebookSupervisor"/>).</summary>
        public string? StatusPath { get; init; }
    }

    private static string DefaultOutput(NotebookRequest request) => request.Output ?? Path.Combine("runs", "notebooks", Path.GetFileName(request.Path));

    /// <summary>A time limit option: null when not given; false (after saying why) unless a positive number of seconds.</summary>
    private static bool TryLimit(string option, double? seconds, out TimeSpan? limit)
    {
        limit = null;
        if (seconds is null)
            return true;
        if (!double.IsFinite(seconds.Value) || seconds <= 0 || seconds > TimeSpan.MaxValue.TotalSeconds)
        {
            Console.Error.WriteLine($"error: {option} {seconds}: give a positive number of seconds, e.g. {option} 600.");
            return false;
        }

        limit = TimeSpan.FromSeconds(seconds.Value);
        return true;
    }

    private static async Task<int> RunNotebookAsync(NotebookRequest request, CancellationToken cancellationToken)
    {
        var outputPath = DefaultOutput(request);
        var output = new OutputTarget("--output", outputPath, IsDefault: request.Output is null);
        var result = await TryRunAsync(request, output, request.Html is null ? null : new OutputTarget("--html", request.Html), cancellationToken);
        if (result is null)
            return 2;
        Console.WriteLine($"Wrote {outputPath} ({result.Elapsed.TotalSeconds:0.0} s).");
        if (request.Html is not null)
            Console.WriteLine($"Wrote {request.Html}.");
        if (result.Succeeded)
            return 0;
        // A timed-out cell that ignored its token is still running: returning ends the process, and the cell with it.
        await Console.Error.WriteLineAsync($"error: {request.Path}: {result.Error}");
        return 1;
    }

    /// <summary>Runs the notebook, writing it to <paramref name="output"/> after every cell; null (after saying why) when
    /// it cannot start: bad file, bad parameters, an output path that cannot be written or is the input. A cell that
    /// fails or times out does not make it null: the executed copy shows where it stopped.</summary>
    private static async Task<NotebookRunResult?> TryRunAsync(NotebookRequest request, OutputTarget output, OutputTarget? html,
        CancellationToken cancellationToken)
    {
        try
        {
            if (!File.Exists(request.Path))
                throw new FileNotFoundException($"{request.Path}: no such notebook.");
            var parameters = NotebookParameters.ParsePairs(request.Pairs);
            // Checked here too, before the run, so the messages name the command's options.
            OutputPaths.Check(request.Path, html is null ? [output] : [output, html]);
            var options = new NotebookRunOptions
            {
                Parameters = parameters, Log = Console.Error, OutputPath = output.Path, HtmlPath = html?.Path,
                CellTimeout = request.CellTimeout, TotalTimeout = request.TotalTimeout,
                CellStarting = request.StatusPath is { } status ? cell => NotebookSupervisor.Report(status, cell) : null,
            };
            return await NotebookRunner.RunAsync(request.Path, options, cancellationToken);
        }
        catch (Exception ex) when (ex is NotebookFormatException or NotebookParameterException or OutputPathException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return null;
        }
    }
}
