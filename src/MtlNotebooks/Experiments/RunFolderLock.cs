using MtlNotebooks.Runtime;
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
        var lockPath = Path.Combine(folder, LockFile);
        FileStream stream;
        while (true)
        {
            try
            {
                stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException ex) when (ex.HResult is WouldBlock or MacWouldBlock or SharingViolation)
            {
                throw new RunFolderInUseException(folder, Owner(folder));
            }
            // Held, but unlinked meanwhile by a run that gave the folder up (RemoveEmptyFolder): lock the file that is there now.
            if (File.Exists(lockPath)) break;
            stream.Dispose();
            Directory.CreateDirectory(folder);
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
            // Only a folder holding nothing but the lock goes.
            if (Directory.EnumerateFileSystemEntries(folder).Any(e => Path.GetFileName(e) is not (LockFile or OwnerFile))) return;
            File.Delete(Path.Combine(folder, OwnerFile));
            // Unlinked while held; a process that opened it just before finds it gone once it holds it, and opens again (Take).
            using (var held = new FileStream(Path.Combine(folder, LockFile), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                File.Delete(Path.Combine(folder, LockFile));
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
