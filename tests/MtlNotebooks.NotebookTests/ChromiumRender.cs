using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MtlNotebooks.NotebookTests;

/// <summary>An exported notebook page as Debian's headless Chromium draws it at a notebook's width: for every Plotly
/// chart, whether plotly.js drew it, its drawn width and its output's width, the text of every output as a reader sees
/// it, and every script error and console error on the page. The
/// page is given a probe script that writes these into the DOM, which <c>--dump-dom</c> prints once the page's
/// (virtual) time budget has run.</summary>
internal static partial class ChromiumRender
{
    /// <summary>The width of a classic Jupyter Notebook page, into which its cells fit.</summary>
    public const int PageWidth = 900;

    public sealed record Chart(int Index, bool Drawn, double Width, double OutputWidth);

    public sealed record Page(IReadOnlyList<Chart> Charts, IReadOnlyList<string> Errors, IReadOnlyList<string> Outputs);

    public static string Browser { get; } = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists) ?? "/usr/bin/chromium";

    private const string ErrorProbe = "<script>window.__mtlErrors = []; window.addEventListener('error', function (e) { window.__mtlErrors.push(String(e.message)); }); window.addEventListener('unhandledrejection', function (e) { window.__mtlErrors.push('unhandled rejection: ' + String(e.reason)); }); (function () { var original = console.error; console.error = function () { window.__mtlErrors.push('console.error: ' + Array.prototype.join.call(arguments, ' ')); return original.apply(console, arguments); }; })();</script>";

    private const string LayoutProbe = """
        <script>
        window.addEventListener('load', function () { setTimeout(function () {
          var charts = Array.prototype.map.call(document.querySelectorAll('.mtl-plotly-chart'), function (div, i) {
            var svg = div.querySelector('svg.main-svg');
            return { Index: i, Drawn: !!svg && div.querySelectorAll('.trace, .hm').length > 0,
                     Width: svg ? svg.getBoundingClientRect().width : 0, OutputWidth: div.parentElement.getBoundingClientRect().width };
          });
          var outputs = Array.prototype.map.call(document.querySelectorAll('div.output, pre.stream'), function (e) { return e.innerText; });
          var pre = document.createElement('pre');
          pre.id = 'mtl-render-report';
          pre.textContent = JSON.stringify({ Charts: charts, Errors: window.__mtlErrors, Outputs: outputs });
          document.body.appendChild(pre);
        }, 1000); });
        </script>
        """;

    public static Page Render(string html, string scratchFolder)
    {
        Assert.True(File.Exists(Browser), $"{Browser} is missing: apt-get install chromium (.ci/run does).");
        var headAt = html.IndexOf("<head>", StringComparison.OrdinalIgnoreCase);
        var bodyEnd = html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
        Assert.True(headAt >= 0 && bodyEnd > headAt, "the exported page has no <head> or </body>");
        var probed = html[..(headAt + 6)] + ErrorProbe + html[(headAt + 6)..bodyEnd] + LayoutProbe + html[bodyEnd..];
        var page = Path.Combine(scratchFolder, "page.html");
        File.WriteAllText(page, probed);

        var start = new ProcessStartInfo(Browser)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            ArgumentList =
            {
                "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--allow-file-access-from-files",
                $"--user-data-dir={Path.Combine(scratchFolder, "profile")}", $"--window-size={PageWidth},2000",
                "--virtual-time-budget=15000", "--dump-dom", new Uri(page).AbsoluteUri,
            },
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("chromium did not finish within 2 minutes");
        }
        var dom = stdout.Result;
        var match = Report().Match(dom);
        Assert.True(match.Success, $"chromium wrote no render report (exit code {process.ExitCode}): {stderr.Result[..Math.Min(2000, stderr.Result.Length)]}");
        var json = System.Net.WebUtility.HtmlDecode(match.Groups[1].Value);
        return JsonSerializer.Deserialize<Page>(json)!;
    }

    [GeneratedRegex("<pre id=\"mtl-render-report\">(.*?)</pre>", RegexOptions.Singleline)]
    private static partial Regex Report();
}
