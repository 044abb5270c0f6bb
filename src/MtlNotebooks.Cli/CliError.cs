namespace MtlNotebooks.Cli;

/// <summary>How a command reports a failure the user can fix: one "error: …" line on standard error, exit code 1.</summary>
internal static class CliError
{
    /// <summary>Prints <paramref name="message"/> and returns the exit code 1.</summary>
    public static int Report(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 1;
    }

    /// <summary>Runs <paramref name="work"/>; bad arguments and missing or unreadable files become <see cref="Report"/>.</summary>
    public static int ReportingFileErrors(Func<int> work)
    {
        try
        {
            return work();
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return Report(ex.Message);
        }
    }
}
