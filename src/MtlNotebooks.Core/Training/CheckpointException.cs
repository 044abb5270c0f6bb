namespace MtlNotebooks.Training;

/// <summary>A checkpoint could not be used; the message names the file and the reason.</summary>
public sealed class CheckpointException(string path, string reason, Exception? inner = null)
    : Exception($"Checkpoint '{path}' {reason}", inner)
{
    public string Path { get; } = path;
}
