namespace MtlNotebooks.Kernel;

/// <summary>A message the kernel rejects (no delimiter, a wrong signature, JSON that is not an object): it is logged
/// and dropped, never answered.</summary>
public sealed class InvalidMessageException(string message) : Exception(message);
