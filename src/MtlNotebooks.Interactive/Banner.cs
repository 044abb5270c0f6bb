namespace MtlNotebooks.Interactive;

/// <summary>A boxed notice at the top of a cell's output, for what a reader must know before reading the numbers
/// below it — above all that a smoke run's numbers are not results.</summary>
public sealed record Banner(string Title, string Text)
{
    /// <summary>Shown by every notebook run with <c>smoke = true</c> (as the tests run them).</summary>
    public static Banner Smoke { get; } = new("Smoke mode",
        "tiny images, a few scenes and one to three epochs, so that every cell runs in seconds. The numbers and charts " +
        "below show that the code runs, not what the methods achieve: run with smoke = false for results.");

    public override string ToString() => $"{Title}: {Text}";
}
