using System.Globalization;

namespace MtlNotebooks.Experiments;

/// <summary>One writer per run folder: an exclusive lock on <c>run.lock</c>, held from the first check to the end of the
/// run. The operating system releases it when the process ends in any way (kill -9 included), so a killed run's folder
/// is free again at once. Who holds it is written to <c>run.owner</c>, because a locked file cannot be read.</summary>
internal sealed class RunFolderLock : IDisposable
{
    public const string LockFile = "run.lock", OwnerFile = "run.owner";

    // EWOULDBLOCK from flock on Linux and macOS; ERROR_SHARING_VIOLATION on Windows.
    private const int WouldBlock = 11, MacWouldBlock = 35, SharingViolation = unchecked((int)0x80070020);

    private readonly FileStream _stream;
    private readonly string _ownerPath;

    private RunFolderLock(FileStream stream, string ownerPath)
    {
        _stream = stream;
        _ownerPath = ownerPath;
    }

    /// <exception cref="RunFolderInUseException">Another run holds the folder.</exception>
    public static RunFolderLock Take(string folder)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(Path.Combine(folder, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex) when (ex.HResult is WouldBlock or MacWouldBlock or SharingViolation)
        {
            throw new RunFolderInUseException(folder, Owner(folder));
        }
        var ownerPath = Path.Combine(folder, OwnerFile);
        try
        {
            var command = string.Join(' ', Environment.GetCommandLineArgs().Select(Path.GetFileName));
            AtomicFile.WriteAllText(ownerPath, $"process {Environment.ProcessId} ({(command.Length > 160 ? command[..160] + "…" : command)}), " +
                                               $"started {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC");
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        return new RunFolderLock(stream, ownerPath);
    }

    /// <summary>Deletes what <see cref="Take"/> created in a folder it created, when the run is refused before any work.</summary>
    public static void RemoveEmptyFolder(string folder)
    {
        try
        {
            foreach (var name in new[] { OwnerFile, LockFile }) File.Delete(Path.Combine(folder, name));
            if (!Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the refusal itself is what the user needs to see.
        }
    }

    public void Dispose()
    {
        try
        {
            File.Delete(_ownerPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The lock is released below all the same; a stale owner note is overwritten by the next run.
        }
        _stream.Dispose();
    }

    private static string Owner(string folder)
    {
        try
        {
            return File.ReadAllText(Path.Combine(folder, OwnerFile)).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "another process";
        }
    }
}
