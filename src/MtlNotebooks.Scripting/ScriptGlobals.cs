namespace MtlNotebooks.Scripting;

/// <summary>The globals of a .csx script, as dotnet-script provides them: the command-line arguments after "--"; the
/// same read as typed options; and the token cancelled when the script reaches its time limit, for long loops to check.</summary>
public sealed class ScriptGlobals(IList<string> args, CancellationToken cancellationToken = default)
{
    private ScriptArguments? _arguments;

    public IList<string> Args { get; } = args;

    /// <summary><see cref="Args"/> as <c>--name value</c> options with typed getters (<see cref="ScriptArguments"/>).
    /// Read on first use, so a script that takes other arguments from <see cref="Args"/> itself is not refused.</summary>
    public ScriptArguments Arguments => _arguments ??= new ScriptArguments(Args);

    /// <summary>Cancelled at the runner's timeout (<c>mtl script --timeout</c>) or when the run is stopped.</summary>
    public CancellationToken ScriptCancellationToken { get; } = cancellationToken;
}
