namespace MtlNotebooks.Scripting;

/// <summary>A magic command (<c>#!time</c>, <c>#!about</c>, …) the runner cannot execute.</summary>
public sealed class UnsupportedMagicException(string message) : Exception(message);
