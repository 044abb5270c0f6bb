namespace MtlNotebooks.Data;

/// <summary>A data set file is missing, unreadable or holds a wrong label; the message names the file and what is wrong.</summary>
public sealed class DataSetException : IOException
{
    public DataSetException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner) => (FilePath, Problem) = (path, problem);

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
