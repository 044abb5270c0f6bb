namespace MtlNotebooks.Scripting;

/// <summary>A file a run writes, with the option that names it, so an error about the path can name the option too.
/// <paramref name="IsDefault"/>: the path is the option's default, not given by the user.</summary>
public sealed record OutputTarget(string Option, string Path, bool IsDefault = false)
{
    public override string ToString() => IsDefault ? $"the default output {Path}" : $"{Option} {Path}";
}
