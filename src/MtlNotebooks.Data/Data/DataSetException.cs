namespace MtlNotebooks.Data;

/// <summary>A data set file is missing, unreadable or holds a wrong label; the message names the file and what is wrong.</summary>
public sealed class DataSetException : IOException
{
    // A length field past the end of the file is a cut file when the claim is plausible; a claim far beyond anything
    // the file could have held is a corrupt field, and quoting it as a size to download would mislead.
    private const long PlausibleBytes = 64L << 20;
    private const long PlausibleFactor = 64;

    public DataSetException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner) => (FilePath, Problem) = (path, problem);

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }

    /// <summary>The error for <paramref name="what"/> whose length field claims <paramref name="claimed"/> bytes where
    /// only <paramref name="available"/> remain: "is truncated" when the claim is plausible, "is corrupt" otherwise.</summary>
    internal static DataSetException Overrun(string path, string what, long claimed, long available, long fileLength)
    {
        bool corrupt = claimed < 0 || claimed > int.MaxValue || claimed > Math.Max(PlausibleBytes, PlausibleFactor * fileLength);
        return corrupt
            ? new DataSetException(path, $"is corrupt: {what} claims {claimed:N0} bytes, impossible in a file of {fileLength:N0} bytes.")
            : new DataSetException(path, $"is truncated: {what} needs {claimed:N0} bytes, only {Math.Max(0, available):N0} remain (the file has {fileLength:N0}).");
    }
}
