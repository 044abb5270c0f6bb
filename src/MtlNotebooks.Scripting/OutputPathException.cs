namespace MtlNotebooks.Scripting;

/// <summary>A file a run was asked to write that it cannot or must not write; the message names the option and the path.</summary>
public sealed class OutputPathException(string message) : Exception(message);
