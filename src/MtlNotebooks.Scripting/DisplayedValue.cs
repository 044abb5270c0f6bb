namespace MtlNotebooks.Scripting;

/// <summary>What <see cref="KernelHelpers.display"/> returns: <see cref="Update"/> replaces the shown value in place.</summary>
public sealed class DisplayedValue
{
    internal static readonly DisplayedValue Detached = new(null, -1);
    private readonly OutputSink? _sink;
    private readonly int _index;

    internal DisplayedValue(OutputSink? sink, int index) => (_sink, _index) = (sink, index);

    public void Update(object? value)
    {
        if (_sink is null)
            Console.WriteLine(MimeBundle.PlainText(value));
        else
            _sink.Replace(_index, value);
    }
}
