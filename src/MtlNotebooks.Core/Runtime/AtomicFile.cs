using System.Text;

namespace MtlNotebooks.Runtime;

/// <summary>Writes files atomically: the content goes to a temporary file in the target's folder, is flushed to disk,
/// and only then renamed over the target. A crash or an exception mid-write leaves either the old file or the new one,
/// never a truncated mix, and no temporary file behind.</summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte order mark).</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, Utf8NoBom, bufferSize: 1 << 16, leaveOpen: true);
            writer.Write(text);
        });
    }

    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Creates the folder if missing, lets <paramref name="write"/> fill a temporary file next to
    /// <paramref name="path"/>, fsyncs it and renames it over <paramref name="path"/>. When <paramref name="write"/>
    /// throws, the temporary file is deleted, the exception propagates and the existing file is untouched.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)
            ?? throw new ArgumentException($"'{path}' has no parent folder.", nameof(path));
        Directory.CreateDirectory(directory);

        // Same folder, so the rename stays on one file system and is atomic.
        var temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var synced = false;
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                if (stream.CanWrite)
                {
                    stream.Flush(flushToDisk: true);
                    synced = true;
                }
            }

            // The callback closed the stream itself: the data reached the OS but maybe not the disk.
            if (!synced)
            {
                using var reopened = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                reopened.Flush(flushToDisk: true);
            }

            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
                // Best effort: the original exception matters more than a stray temporary file.
            }
            catch (UnauthorizedAccessException)
            {
            }

            throw;
        }
    }
}
