using Microsoft.AspNetCore.Html;

namespace MtlNotebooks.Scripting;

/// <summary>The helpers a .NET Interactive C# kernel puts in scope (<c>using static Microsoft.DotNet.Interactive.Kernel</c>),
/// with the same names, so cells run unchanged in a real kernel and in the runner. Outside a notebook run,
/// <see cref="display"/> prints the value's text/plain form.</summary>
#pragma warning disable IDE1006 // lower-case names mirror the kernel's helpers
public static class KernelHelpers
{
    internal static readonly AsyncLocal<OutputSink?> CurrentSink = new();
    internal static readonly AsyncLocal<CancellationToken> CurrentCancellation = new();

    /// <summary>Cancelled when the running cell reaches its time limit (the runner's per-cell or total timeout) or the
    /// run is stopped. Long loops should check it (<c>CellCancellationToken.ThrowIfCancellationRequested()</c>) and
    /// async calls take it: .NET cannot abort code that ignores it, so such a cell is abandoned, not stopped.</summary>
    public static CancellationToken CellCancellationToken => CurrentCancellation.Value;

    /// <summary>Shows <paramref name="value"/> as a display_data output, formatted for its preferred MIME types (or
    /// <paramref name="mimeTypes"/>), and returns a handle to replace it later.</summary>
    public static DisplayedValue display(object? value, params string[] mimeTypes)
    {
        if (CurrentSink.Value is { } sink)
            return sink.Display(value, mimeTypes);
        Console.WriteLine(MimeBundle.PlainText(value));
        return DisplayedValue.Detached;
    }

    /// <summary>Marks <paramref name="content"/> as HTML, so it is shown as markup rather than as text.</summary>
    public static IHtmlContent HTML(string content) => new HtmlString(content);
}
#pragma warning restore IDE1006
