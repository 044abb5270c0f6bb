namespace MtlNotebooks.Experiments;

/// <summary>Another run is writing to the folder; two runs in one folder would mix their files.</summary>
public sealed class RunFolderInUseException(string folder, string owner)
    : IOException($"'{folder}' is in use by another run: {owner}. Wait for it to finish (or stop it), or choose another folder.")
{
    public string Folder { get; } = folder;
}
