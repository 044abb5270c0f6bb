namespace MtlNotebooks.Kernel;

/// <summary>Jupyter counts cursor positions in Unicode code points (protocol 5.2+); .NET strings index UTF-16 units.</summary>
internal static class CodePoints
{
    public static int ToUtf16(string text, int codePoints)
    {
        var index = 0;
        for (var n = 0; n < codePoints && index < text.Length; n++)
            index += char.IsHighSurrogate(text[index]) && index + 1 < text.Length ? 2 : 1;
        return index;
    }

    public static int FromUtf16(string text, int index)
    {
        var count = 0;
        for (var i = 0; i < Math.Min(index, text.Length); i++)
            if (!char.IsLowSurrogate(text[i])) count++;
        return count;
    }
}
