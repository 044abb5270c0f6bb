namespace MtlNotebooks.Scripting;

/// <summary>How a script run ended: the exit code (the script's <c>return</c> value when it returns an int, 1 on an
/// error, else 0) and the error text.</summary>
public sealed record ScriptRunResult(int ExitCode, string? Error, TimeSpan Elapsed);
