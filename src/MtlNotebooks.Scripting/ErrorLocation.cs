using System.Diagnostics;

namespace MtlNotebooks.Scripting;

/// <summary>The file and line of a script or cell where an exception was thrown. Submissions are compiled with their
/// file path and debug information, so their stack frames carry lines; the first frame in script code is the one its
/// author can fix (frames of a library it called come before it and are skipped).</summary>
internal sealed record ErrorLocation(string File, int Line)
{
    /// <summary>The first frame of <paramref name="exception"/> in a file <paramref name="isScript"/> accepts; null if none.</summary>
    public static ErrorLocation? Find(Exception exception, Func<string, bool> isScript)
    {
        foreach (var frame in new StackTrace(exception, fNeedFileInfo: true).GetFrames())
        {
            if (frame.GetFileName() is { Length: > 0 } file && frame.GetFileLineNumber() > 0 && isScript(file))
                return new ErrorLocation(file, frame.GetFileLineNumber());
        }

        return null;
    }

    /// <summary>Code compiled by the runner: the given files, or a <c>#load</c>-ed .csx file.</summary>
    public static Func<string, bool> InScript(params string[] files) => file =>
        files.Contains(file, StringComparer.Ordinal) || file.EndsWith(".csx", StringComparison.OrdinalIgnoreCase);
}
