namespace MtlNotebooks.Experiments;

/// <summary>The output folder holds a run and <see cref="ExistingRun.Refuse"/> was asked for.</summary>
public sealed class ExistingRunException(string folder, string started)
    : IOException($"'{folder}' already holds a run (started {started}); resume it or overwrite it, or choose another folder.")
{
    public string Folder { get; } = folder;
}
