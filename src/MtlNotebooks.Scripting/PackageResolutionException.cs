namespace MtlNotebooks.Scripting;

/// <summary>A <c>#r "nuget:"</c> that cannot be satisfied; the message names the package, the version and where the
/// runner looked.</summary>
public sealed class PackageResolutionException(string message) : Exception(message);
