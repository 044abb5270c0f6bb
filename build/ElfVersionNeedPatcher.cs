// Build-time fix for TorchSharp 0.107.0 on distributions whose libstdc++ predates GCC 13 (e.g. Debian 12).
//
// libLibTorchSharp.so carries a *strong* version need on GLIBCXX_3.4.32, which exists only for
// std::ios_base_library_init(): GCC 13 references that symbol from every object including <iostream>
// to force stream initialisation, and no relocation ever uses it. The dynamic loader refuses the library
// only because the need is strong. Marking the Vernaux entry weak (VER_FLG_WEAK) turns the refusal into
// a tolerated missing version. This file is compiled three times: as an inline MSBuild task (build/
// TorchSharpNativeFix.targets), into MtlNotebooks.Interactive (internal: the .NET Interactive kernel loads the package
// cache's copy, which the build never patches) and into the tests, which check the ELF logic on real files.
#nullable enable
using System;
using System.IO;
using System.Text;

namespace MtlNotebooks.Build
{
    /// <summary>What <see cref="ElfVersionNeedPatcher.MarkWeak"/> did to a file.</summary>
#if ELF_PATCHER_INTERNAL
    internal
#else
    public
#endif
    enum VersionNeedPatchResult
    {
        /// <summary>The entry was strong and is now weak.</summary>
        Patched,
        /// <summary>The entry was already weak: nothing written (idempotent).</summary>
        AlreadyWeak,
        /// <summary>The file has no version need with that name: nothing to do.</summary>
        NotReferenced,
    }

    /// <summary>Reads and rewrites the GNU version-need table (.gnu.version_r) of an ELF64 little-endian file.</summary>
#if ELF_PATCHER_INTERNAL
    internal
#else
    public
#endif
    static class ElfVersionNeedPatcher
    {
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlagWeak = 0x2;

        /// <summary>True when <paramref name="path"/> is a libstdc++ that defines <paramref name="version"/>.</summary>
        public static bool LibraryDefinesVersion(string path, string version)
        {
            byte[] bytes = File.ReadAllBytes(path);
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            return IndexOf(bytes, needle) >= 0;
        }

        /// <summary>The system's libstdc++.so.6, or null when none is found in the usual places.</summary>
        public static string? FindSystemLibStdCxx()
        {
            string[] candidates =
            {
                "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/usr/lib64/libstdc++.so.6",
                "/usr/lib/libstdc++.so.6",
            };
            foreach (string candidate in candidates)
            {
                if (File.Exists(candidate)) return candidate;
            }
            return null;
        }

        /// <summary>Flags of the version need named <paramref name="version"/>, or null when the file has none.</summary>
        public static ushort? ReadFlags(string path, string version)
        {
            byte[] elf = File.ReadAllBytes(path);
            int offset = FindVernauxFlagsOffset(elf, path, version);
            return offset < 0 ? null : BitConverter.ToUInt16(elf, offset);
        }

        /// <summary>Marks the version need <paramref name="version"/> weak. Writes a temporary file and renames it
        /// over the original, so a crash never leaves a half-written library and a hard link to the package
        /// cache is replaced instead of modified.</summary>
        public static VersionNeedPatchResult MarkWeak(string path, string version)
        {
            byte[] elf = File.ReadAllBytes(path);
            int offset = FindVernauxFlagsOffset(elf, path, version);
            if (offset < 0) return VersionNeedPatchResult.NotReferenced;
            ushort flags = BitConverter.ToUInt16(elf, offset);
            if ((flags & VerFlagWeak) != 0) return VersionNeedPatchResult.AlreadyWeak;
            BitConverter.GetBytes((ushort)(flags | VerFlagWeak)).CopyTo(elf, offset);

            string temp = path + ".patching";
            File.WriteAllBytes(temp, elf);
            File.Replace(temp, path, destinationBackupFileName: null); // rename(2): atomic, breaks hard links
            return VersionNeedPatchResult.Patched;
        }

        private static int FindVernauxFlagsOffset(byte[] elf, string path, string version)
        {
            if (elf.Length < 0x40 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException($"'{path}' is not an ELF file (bad magic).");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException($"'{path}' is not a 64-bit little-endian ELF file (class {elf[4]}, data {elf[5]}).");

            ulong sectionHeaderOffset = U64(elf, 0x28, path);
            ushort sectionHeaderSize = U16(elf, 0x3A, path);
            ushort sectionCount = U16(elf, 0x3C, path);
            if (sectionHeaderSize < 0x40)
                throw new InvalidDataException($"'{path}': section header size {sectionHeaderSize} is smaller than an ELF64 header (64).");

            for (int i = 0; i < sectionCount; i++)
            {
                int header = Checked(sectionHeaderOffset + (ulong)(i * sectionHeaderSize), elf, 0x40, path);
                if (U32(elf, header + 4, path) != ShtGnuVerneed) continue;

                int tableOffset = Checked(U64(elf, header + 0x18, path), elf, 0, path);
                uint stringSectionIndex = U32(elf, header + 0x28, path);
                uint entryCount = U32(elf, header + 0x2C, path);
                if (stringSectionIndex >= sectionCount)
                    throw new InvalidDataException($"'{path}': .gnu.version_r links to section {stringSectionIndex}, but the file has {sectionCount}.");
                int stringHeader = Checked(sectionHeaderOffset + stringSectionIndex * (ulong)sectionHeaderSize, elf, 0x40, path);
                int strings = Checked(U64(elf, stringHeader + 0x18, path), elf, 0, path);

                int entry = tableOffset;
                for (uint e = 0; e < entryCount; e++)
                {
                    ushort auxCount = U16(elf, entry + 2, path);
                    int aux = entry + (int)U32(elf, entry + 8, path);
                    for (int a = 0; a < auxCount; a++)
                    {
                        uint nameOffset = U32(elf, aux + 8, path);
                        if (ReadCString(elf, strings + (int)nameOffset, path) == version) return aux + 4;
                        uint nextAux = U32(elf, aux + 12, path);
                        if (nextAux == 0) break;
                        aux += (int)nextAux;
                    }
                    uint next = U32(elf, entry + 12, path);
                    if (next == 0) break;
                    entry += (int)next;
                }
                return -1;
            }
            return -1;
        }

        private static int Checked(ulong offset, byte[] elf, int length, string path)
        {
            if (offset + (ulong)length > (ulong)elf.Length)
                throw new InvalidDataException($"'{path}' is truncated or corrupt: offset 0x{offset:x} lies beyond its {elf.Length} bytes.");
            return (int)offset;
        }

        private static ushort U16(byte[] b, int o, string path) { Checked((ulong)o, b, 2, path); return BitConverter.ToUInt16(b, o); }
        private static uint U32(byte[] b, int o, string path) { Checked((ulong)o, b, 4, path); return BitConverter.ToUInt32(b, o); }
        private static ulong U64(byte[] b, int o, string path) { Checked((ulong)o, b, 8, path); return BitConverter.ToUInt64(b, o); }

        private static string ReadCString(byte[] b, int o, string path)
        {
            Checked((ulong)o, b, 1, path);
            int end = Array.IndexOf(b, (byte)0, o);
            if (end < 0) throw new InvalidDataException($"'{path}': unterminated string at 0x{o:x}.");
            return Encoding.ASCII.GetString(b, o, end - o);
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i <= haystack.Length - needle.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j]) j++;
                if (j == needle.Length) return i;
            }
            return -1;
        }
    }
}

#if !ELF_PATCHER_WITHOUT_MSBUILD
namespace MtlNotebooks.Build
{
    /// <summary>MSBuild task: marks GLIBCXX_3.4.32 weak in every given libLibTorchSharp.so, only on Linux and only
    /// when the system libstdc++ lacks that version.</summary>
    public sealed class MarkGlibcxxVersionWeak : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        public string Version { get; set; } = "GLIBCXX_3.4.32";

        public override bool Execute()
        {
            if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux))
                return true;
            string? system = ElfVersionNeedPatcher.FindSystemLibStdCxx();
            if (system != null && ElfVersionNeedPatcher.LibraryDefinesVersion(system, Version))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, $"{system} defines {Version}: libLibTorchSharp.so needs no patch.");
                return true;
            }
            foreach (var item in Files)
            {
                string path = item.ItemSpec;
                try
                {
                    var result = ElfVersionNeedPatcher.MarkWeak(path, Version);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, $"{path}: {Version} version need {result}.");
                }
                catch (Exception ex) when (ex is InvalidDataException || ex is IOException || ex is UnauthorizedAccessException)
                {
                    Log.LogError($"MTL0001: cannot mark {Version} weak in '{path}': {ex.Message} " +
                                 "TorchSharp's native library is not as expected; without this fix it cannot load on a system whose libstdc++ lacks " + Version + ".");
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
}
#endif
