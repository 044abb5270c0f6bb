using MtlNotebooks.Build;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Build;

[Collection("Torch")]
public sealed class NativeLibraryTests
{
    private const string Version = "GLIBCXX_3.4.32";

    private static string CacheCopy()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                   ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }

    private static string OutputCopy() =>
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void TensorOp_AfterBuildFix_Runs()
    {
        using var x = arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        using var y = x.matmul(x.t());
        Assert.Equal(new float[] { 5, 14, 14, 50 }, y.data<float>().ToArray());
    }

    [Fact]
    public void PackageCache_AfterBuild_IsUnchanged()
    {
        if (!OperatingSystem.IsLinux()) return;
        var cache = CacheCopy();
        Assert.True(File.Exists(cache), $"expected TorchSharp's native library in the package cache at {cache}");
        var flags = ElfVersionNeedPatcher.ReadFlags(cache, Version);
        Assert.NotNull(flags);
        Assert.Equal(0, flags!.Value & 0x2); // the cache copy keeps its strong version need
        var system = ElfVersionNeedPatcher.FindSystemLibStdCxx();
        bool systemHasVersion = system is not null && ElfVersionNeedPatcher.LibraryDefinesVersion(system, Version);
        var outputFlags = ElfVersionNeedPatcher.ReadFlags(OutputCopy(), Version);
        Assert.Equal(systemHasVersion ? 0 : 0x2, outputFlags!.Value & 0x2);
    }

    [Fact]
    public void MarkWeak_CopyOfPackageLibrary_PatchesOnceThenIsIdempotent()
    {
        if (!OperatingSystem.IsLinux()) return;
        var copy = Path.Combine(Path.GetTempPath(), $"mtl-elf-{Guid.NewGuid():N}.so");
        File.Copy(CacheCopy(), copy);
        try
        {
            var before = File.ReadAllBytes(copy);
            Assert.Equal(VersionNeedPatchResult.Patched, ElfVersionNeedPatcher.MarkWeak(copy, Version));
            var after = File.ReadAllBytes(copy);
            Assert.Equal(0x2, ElfVersionNeedPatcher.ReadFlags(copy, Version)!.Value & 0x2);
            Assert.Equal(before.Length, after.Length);
            Assert.Equal(1, before.Zip(after).Count(p => p.First != p.Second)); // exactly one byte: vna_flags
            Assert.Equal(VersionNeedPatchResult.AlreadyWeak, ElfVersionNeedPatcher.MarkWeak(copy, Version));
            Assert.Equal(VersionNeedPatchResult.NotReferenced, ElfVersionNeedPatcher.MarkWeak(copy, "GLIBCXX_9.9.99"));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void MarkWeak_NotAnElfFile_ThrowsNamingTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mtl-not-elf-{Guid.NewGuid():N}.so");
        File.WriteAllText(path, "this is not a shared library, just some text long enough to hold an ELF header......");
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.MarkWeak(path, Version));
            Assert.Contains(path, error.Message);
            Assert.Contains("not an ELF file", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MarkWeak_TruncatedLibrary_ThrowsAndLeavesFileAlone()
    {
        if (!OperatingSystem.IsLinux()) return;
        var path = Path.Combine(Path.GetTempPath(), $"mtl-trunc-{Guid.NewGuid():N}.so");
        using (var source = File.OpenRead(CacheCopy()))
        using (var target = File.Create(path))
        {
            var head = new byte[4096];
            source.ReadExactly(head);
            target.Write(head);
        }
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.MarkWeak(path, Version));
            Assert.Contains("truncated or corrupt", error.Message);
            Assert.Equal(4096, new FileInfo(path).Length);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
