using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using MtlNotebooks.Scripting;

namespace MtlNotebooks.NotebookTests;

/// <summary>A cell's console text is collected in linear time and capped: what is kept joins back to exactly what was
/// written, a progress line redrawn with \r does not grow one line, and past the cap a note says how much went.</summary>
public sealed class OutputSinkTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private static (OutputSink Sink, JsonArray Outputs, Observer Seen) NewSink()
    {
        var outputs = new JsonArray();
        var seen = new Observer();
        return (new OutputSink(outputs, new NotebookOutputState(), seen), outputs, seen);
    }

    private static string Text(JsonNode? output) => string.Concat(((JsonArray)output!["text"]!).Select(l => (string?)l));

    [Fact]
    public void SmallWrites_JoinBackExactly_InOneStreamOutputPerRun()
    {
        var (sink, outputs, _) = NewSink();
        var expected = new StringBuilder();
        for (int i = 0; i < 20_000; i++)
        {
            var piece = i % 7 == 0 ? $"step {i}\n" : i % 5 == 0 ? $"\r{i} %" : $"{i},";
            sink.Write("stdout", piece);
            expected.Append(piece);
        }
        sink.Write("stderr", "warn\n");
        sink.Write("stdout", "tail");
        Assert.Equal(3, outputs.Count);
        Assert.Equal(expected.ToString(), Text(outputs[0]));
        Assert.Equal("warn\n", Text(outputs[1]));
        Assert.Equal("tail", Text(outputs[2]));
        Assert.All((JsonArray)outputs[0]!["text"]!, l => Assert.True(((string)l!).Length < 200, "a segment grew past one line"));
    }

    [Fact]
    public void FiftyMegabytes_AreCollectedWithinTheGuard_KeepingTheCapAndANote()
    {
        var (sink, outputs, seen) = NewSink();
        var line = new string('x', 99) + "\n";
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 50 * 1024 * 1024 / 100; i++) sink.Write("stdout", line);
        clock.Stop();
        Assert.True(clock.Elapsed < HangGuard, $"50 MB took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(OutputSink.MaxStreamChars, Text(outputs[0]).Length);
        var note = Text(outputs[1]);
        Assert.Equal("stderr", (string?)outputs[1]!["name"]);
        Assert.Contains("[output truncated: 46.0 MB not kept (stdout); a cell keeps 4 MB of text]", note);
        Assert.Equal(OutputSink.MaxStreamChars, seen.StreamChars - seen.Notes.Sum(n => n.Length));
        Assert.Single(seen.Notes);
    }

    [Fact]
    public void DotsWithoutANewline_AreCutInto4KSegments_AndTheCapNeverSplitsACharacter()
    {
        var (sink, outputs, _) = NewSink();
        for (int i = 0; i < 300_000; i++) sink.Write("stdout", ".");
        var segments = ((JsonArray)outputs[0]!["text"]!).Select(l => (string)l!).ToList();
        Assert.Equal(300_000, segments.Sum(s => s.Length));
        Assert.All(segments, s => Assert.True(s.Length <= 4 * 1024 + 1, $"a segment of {s.Length} characters"));

        var (capped, cappedOutputs, _) = NewSink();
        capped.Write("stdout", new string('a', OutputSink.MaxStreamChars - 1) + "😀");   // the emoji is two chars, across the cap
        Assert.False(char.IsHighSurrogate(Text(cappedOutputs[0])[^1]));
    }

    [Fact]
    public void AfterTheCap_OtherOutputsStillArrive()
    {
        var (sink, outputs, _) = NewSink();
        sink.Write("stdout", new string('y', OutputSink.MaxStreamChars + 10));
        sink.Display("a table");
        Assert.Equal(["stream", "stream", "display_data"], outputs.Select(o => (string?)o!["output_type"]));
        Assert.Contains("0.0 MB not kept", Text(outputs[1]));
    }

    [Fact]
    public async Task ACellPrintingFiftyMegabytes_RunsThrough_AndTheSavedNotebookKeepsTheCap()
    {
        var scratch = Directory.CreateTempSubdirectory("mtl-sink-");
        try
        {
            var notebook = NotebookDocument.CreateCSharp();
            notebook.AddCell("code", "var line = new string('x', 99);\nfor (int i = 0; i < 500_000; i++) Console.WriteLine(line);");
            notebook.AddCell("code", "Console.WriteLine(\"after\");");
            var result = await NotebookRunner.RunAsync(notebook, scratch.FullName, new NotebookRunOptions()).WaitAsync(TimeSpan.FromMinutes(5));
            Assert.True(result.Succeeded, result.Error);
            var outputs = result.Executed.Cells[0].Outputs;
            Assert.Equal(OutputSink.MaxStreamChars, Text(outputs[0]).Length);
            Assert.Contains("MB not kept (stdout)", Text(outputs[1]));
            Assert.Equal("after\n", Text(result.Executed.Cells[1].Outputs[0]));
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private sealed class Observer : IOutputObserver
    {
        public long StreamChars { get; private set; }
        public List<string> Notes { get; } = [];

        public void Stream(string stream, string text)
        {
            StreamChars += text.Length;
            if (text.Contains("[output truncated")) Notes.Add(text);
        }

        public void Added(int index, JsonObject output) { }
        public void Replaced(int index, JsonObject output) { }
    }
}
