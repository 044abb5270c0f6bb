using System.IO.Compression;
using System.Text;
using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Weights;

namespace MtlNotebooks.Tests.Weights;

/// <summary>A weights file may come from anywhere: a pickle that names a callable is refused before anything is built,
/// a damaged file is named as such, a safetensors header that lies is refused before any allocation.</summary>
[Collection("Torch")]
public sealed class UntrustedFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mtl-untrusted-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Pickle bytes written as Python writes them: \\xNN is one byte, \\n a newline, anything else itself.</summary>
    private static byte[] Bytes(string escaped) => Encoding.Latin1.GetBytes(System.Text.RegularExpressions.Regex.Replace(
        escaped, @"\\x([0-9a-fA-F]{2})|\\n", m => m.Value == @"\n" ? "\n" : ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString()));

    /// <summary>A zip laid out as torch.save lays it out, holding <paramref name="pickle"/> as its data.pkl.</summary>
    private string TorchZip(string name, byte[] pickle)
    {
        var path = Path.Combine(_folder, name);
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        using (var stream = archive.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open()) stream.Write(pickle);
        return path;
    }

    public static TheoryData<string, string, string> Crafted => new()
    {
        // protocol 2, as torch.save writes: os.system("ls") through GLOBAL and REDUCE
        { "global", @"\x80\x02cos\nsystem\nX\x02\x00\x00\x00lsq\x00\x85q\x01Rq\x02.", "the global os.system" },
        // protocol 4: STACK_GLOBAL with its names memoised
        { "stack-global", @"\x80\x04\x8c\x02os\x94\x8c\x06system\x94\x93\x8c\x02ls\x85R.", "the global os.system" },
        // allowed names pushed first, the refused ones recalled from the memo just before STACK_GLOBAL
        { "memo", @"\x80\x04\x8c\x05torch\x94\x8c\x0cFloatStorage\x94\x8c\x08builtins\x94\x8c\x04eval\x94h\x02h\x03\x93.", "the global builtins.eval" },
        // a whole pickled model, not a state dict
        { "model", @"\x80\x02ctorchvision.models.resnet\nResNet\nq\x00)\x81q\x01.", "the global torchvision.models.resnet.ResNet" },
        // a name the pickle computes instead of writing
        { "computed", @"\x80\x04)\x8c\x06system\x93.", "a global whose name is computed" },
        // the extension registry: a global chosen by number
        { "extension", @"\x80\x02\x82\x01.", "an extension-registry code" },
        // a call of something that is not a global at all
        { "call", @"\x80\x02))R.", "a call of something other than an allowed global" },
        // INST names an allowed class, yet would leave the stack as the scan does not model it
        { "inst", @"\x80\x02(icollections\nOrderedDict\n.", "an old-style instance opcode" },
    };

    public static TheoryData<string, string, string> Malformed => new()
    {
        // a dictionary with an odd number of items: another unpickler would read below the mark
        { "odd-setitems", @"\x80\x02}(X\x01\x00\x00\x00au.", "a dictionary has a key without a value" },
        // a memo slot the unpickler keeps as a negative 32-bit index
        { "memo", @"\x80\x02X\x01\x00\x00\x00ar\xff\xff\xff\xff.", "memo index 4294967295 is out of range" },
        // a 4 GB tensor asked of a one-element storage: refused before anything is allocated
        { "shape", @"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x01tQK\x00J\x00\xca\x9a\x3b\x85K\x01\x85\x89)tR.",
          "a tensor of 1000000000 elements is rebuilt from storage '0' of 1" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedPickle_IsNamedAsCorrupt(string name, string pickle, string expected)
    {
        var path = TorchZip($"{name}.pth", Bytes(pickle));
        var error = Assert.Throws<InvalidDataException>(() => StateDictFile.Read(path));
        Assert.Contains($"Weights file '{path}' is corrupt: {expected}", error.Message);
    }

    [Fact]
    public void ZipBomb_IsRefused_BeforeInflating()
    {
        var path = Path.Combine(_folder, "bomb.pth");
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Create))
        using (var stream = archive.CreateEntry("archive/data.pkl", CompressionLevel.Optimal).Open())
            for (int i = 0; i < 100; i++) stream.Write(new byte[1 << 20]);   // 100 MiB of zeros in a file of ~100 KB
        var error = Assert.Throws<InvalidDataException>(() => StateDictFile.Read(path));
        Assert.Contains("inflates to 104,857,600 bytes, more than", error.Message);
    }

    [Theory]
    [MemberData(nameof(Crafted))]
    public void CraftedPickle_IsRefused_NamingFileAndGlobal(string name, string pickle, string expected)
    {
        var path = TorchZip($"{name}.pth", Bytes(pickle));
        var error = Assert.Throws<InvalidDataException>(() => StateDictFile.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Contains("torch.save(model.state_dict(), path)", error.Message);
    }

    [Fact]
    public void CraftedLegacyFile_IsRefused_NamingTheGlobal()
    {
        var path = Path.Combine(_folder, "legacy.pth");
        File.WriteAllBytes(path, [.. TorchSaveFile.LegacyMagic, .. Bytes(@"\x80\x02M\xe9\x03.\x80\x02}.\x80\x02c__builtin__\neval\nX\x01\x00\x00\x001\x85R.")]);
        Assert.Equal(WeightFormat.TorchSaveLegacy, StateDictFile.Detect(path));
        var error = Assert.Throws<InvalidDataException>(() => StateDictFile.Read(path));
        Assert.Contains("the global __builtin__.eval", error.Message);
    }

    [Fact]
    public void DamagedFiles_AreNamedAsCorrupt()
    {
        using var model = new ResNetModule(new ResNetOptions(18, 0.125));
        var good = Path.Combine(_folder, "good.pth");
        StateDictFile.Write(good, model);
        var bytes = File.ReadAllBytes(good);

        var truncated = Path.Combine(_folder, "truncated.pth");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        Assert.Contains("is corrupt or truncated", Assert.Throws<InvalidDataException>(() => StateDictFile.Read(truncated)).Message);

        var flipped = Path.Combine(_folder, "flipped.pth");
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(flipped, bytes);
        var error = Assert.Throws<InvalidDataException>(() => StateDictFile.Read(flipped));
        Assert.Contains(flipped, error.Message);
        Assert.Contains("fails its checksum", error.Message);

        var noise = Path.Combine(_folder, "noise.pth");
        File.WriteAllBytes(noise, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 >> 3))]);
        Assert.Contains("is not a state dict", Assert.Throws<InvalidDataException>(() => StateDictFile.Read(noise)).Message);

        // through a backbone's weights: the same message, the module disposed, nothing half-loaded
        Assert.Contains("fails its checksum", Assert.Throws<InvalidDataException>(() => Backbones.ResNet18(0.125, weights: flipped).Create()).Message);
    }

    [Fact]
    public void TruncatedLegacyFile_IsNamedAsTruncated()
    {
        var path = Path.Combine(_folder, "legacy.pth");
        // magic, protocol, system info, an empty state dict naming one float storage '0' of 1,000 elements, its key
        // list, then 8 bytes of count and only 12 bytes of data
        var main = @"\x80\x02ccollections\nOrderedDict\n)R(X\x01\x00\x00\x00wctorch._utils\n_rebuild_tensor_v2\n(" +
                   @"(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuM\xe8\x03Ntq\x00QK\x00M\xe8\x03\x85K\x01\x85\x89)tRu.";
        File.WriteAllBytes(path, [.. TorchSaveFile.LegacyMagic, .. Bytes(@"\x80\x02M\xe9\x03.\x80\x02}." + main + @"\x80\x02]X\x01\x00\x00\x000a."),
            .. BitConverter.GetBytes(1000L), .. new byte[12]]);
        var error = Assert.Throws<InvalidDataException>(() => StateDictFile.Read(path));
        Assert.Contains("is truncated: storage '0' needs 4000 bytes, 12 remain", error.Message);
    }

    public static TheoryData<string, string> LyingHeaders => new()
    {
        { """{"w":{"dtype":"F32","shape":[1000000000000],"data_offsets":[0,4000000000000]}}""", "its tensors cover 4000000000000 bytes of the 8" },
        { """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"v":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", "starts at byte 4, not 8" },
        { """{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", "needs 12 bytes, its offsets give 8" },
        { """{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", "cover 16 bytes of the 8" },
        { """{"w":{"dtype":"X9","shape":[2],"data_offsets":[0,8]}}""", "element type 'X9'" },
        { """{"w":{"shape":[2],"data_offsets":[0,8]}}""", "lacks a valid dtype" },
        { """{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", "negative size" },
    };

    [Theory]
    [MemberData(nameof(LyingHeaders))]
    public void SafetensorsHeader_ThatLies_IsRefusedBeforeAllocation(string header, string expected)
    {
        var path = Path.Combine(_folder, "lying.safetensors");
        var json = Encoding.UTF8.GetBytes(header);
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)json.Length), .. json, .. new byte[8]]);
        Assert.Equal(WeightFormat.Safetensors, StateDictFile.Detect(path));
        var error = Assert.Throws<InvalidDataException>(() => StateDictFile.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void SafetensorsHeaderLength_BeyondTheFile_IsRefused()
    {
        var path = Path.Combine(_folder, "long.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(1L << 40), (byte)'{', .. new byte[32]]);
        Assert.Contains("header claims 1099511627776 bytes", Assert.Throws<InvalidDataException>(() => SafetensorsHeader.Read(path)).Message);
    }

    [Fact]
    public void Write_UnknownExtension_LeavesTheExistingFileAlone()
    {
        var path = Path.Combine(_folder, "weights.bin");
        File.WriteAllText(path, "a good file");
        using var model = new ResNetModule(new ResNetOptions(18, 0.125));
        Assert.Contains("the extension names no format", Assert.Throws<ArgumentException>(() => StateDictFile.Write(path, model)).Message);
        Assert.Equal("a good file", File.ReadAllText(path));
    }
}
