using MtlNotebooks.Data;

namespace MtlNotebooks.Tests.Data;

/// <summary>Every path a manifest or a split list names stays under the data root: ids, folders, patterns and list
/// files that leave it are refused naming the field, or the list's file and line, before anything outside is opened;
/// symlinks and nested ids inside the root keep working.</summary>
[Collection("Torch")]
public sealed class DataRootPathTests
{
    private static string TrainList(DataFixture fixture) => Path.Combine(fixture.Root, "gt_sets", "train.txt");

    private static LoaderOptions Options(DataFixture fixture) => new() { Height = fixture.Height, Width = fixture.Width };

    private static DataSetException OpenFails(DataFixture fixture, DataManifest? manifest = null) =>
        Assert.Throws<DataSetException>(() => ManifestDataset.Open(manifest ?? fixture.Manifest, fixture.Root, "train", Options(fixture)));

    /// <summary>A folder beside the fixture's root, deleted at the end of the test.</summary>
    private sealed class Outside : IDisposable
    {
        public string Folder { get; } = Directory.CreateTempSubdirectory("mtl-outside-").FullName;

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }

    [Fact]
    public void Open_IdWithDotDotInTheSplitList_NamesListFileAndLine()
    {
        using var fixture = DataFixture.Nyud();
        File.WriteAllLines(TrainList(fixture), ["0000", "../../../outside/evil", "0002"]);
        var error = OpenFails(fixture);
        Assert.Equal(TrainList(fixture), error.FilePath);
        Assert.StartsWith("line 2: id '../../../outside/evil' leads to ", error.Problem);
        Assert.Contains($"outside the data root {fixture.Root}", error.Problem);
    }

    [Fact]
    public void Open_AbsoluteIdInTheSplitList_NamesListFileAndLine()
    {
        using var fixture = DataFixture.Nyud();
        File.WriteAllLines(TrainList(fixture), ["0000", "", "/etc/passwd"]);
        var error = OpenFails(fixture);
        Assert.Equal(TrainList(fixture), error.FilePath);
        Assert.StartsWith("line 3: id '/etc/passwd' is an absolute path (/etc/passwd.jpg)", error.Problem);
    }

    [Fact]
    public void Open_ManifestFolderWithDotDot_NamesTheField()
    {
        using var fixture = DataFixture.Nyud();
        var manifest = fixture.Manifest with
        {
            Tasks = fixture.Manifest.Tasks.Select(t => t.Name == "depth" ? t with { Folders = ["../outside-depth"] } : t).ToList(),
        };
        var error = OpenFails(fixture, manifest);
        Assert.Equal("manifest 'nyud'", error.FilePath);
        Assert.StartsWith($"tasks.depth.folders[0] '../outside-depth' leads to {Path.Combine(Path.GetDirectoryName(fixture.Root)!, "outside-depth")}, " +
                          $"outside the data root {fixture.Root}", error.Problem);
    }

    [Fact]
    public void Open_AbsoluteManifestFolder_NamesTheField()
    {
        using var fixture = DataFixture.Nyud();
        var manifest = fixture.Manifest with { Image = fixture.Manifest.Image with { Folder = "/etc" } };
        var error = OpenFails(fixture, manifest);
        Assert.Equal("manifest 'nyud': image.folder '/etc' is an absolute path (/etc); paths in a data set are relative to its root " +
                     fixture.Root + ".", error.Message);
    }

    [Fact]
    public void Open_PatternWithDotDot_NamesTheField()
    {
        using var fixture = DataFixture.Nyud();
        var manifest = fixture.Manifest with
        {
            Tasks = fixture.Manifest.Tasks.Select(t => t.Name == "normals" ? t with { Pattern = "../../x/{id}.npy" } : t).ToList(),
        };
        var error = OpenFails(fixture, manifest);
        Assert.Equal("manifest 'nyud'", error.FilePath);
        Assert.StartsWith("tasks.normals.pattern '../../x/{id}.npy' leads to ", error.Problem);
    }

    [Fact]
    public void Verify_SplitListOutsideTheRoot_NamesTheFieldAndNeverEchoesTheList()
    {
        using var fixture = DataFixture.Nyud();
        using var outside = new Outside();
        File.WriteAllLines(Path.Combine(outside.Folder, "train.txt"), ["private-line", "private-line"]);
        var list = Path.GetRelativePath(fixture.Root, Path.Combine(outside.Folder, "train.txt"));
        var manifest = fixture.Manifest with { Splits = [fixture.Manifest.Splits[0] with { List = list }, fixture.Manifest.Splits[1]] };

        var report = DataVerifier.Verify(manifest, fixture.Root);
        Assert.False(report.IsValid);
        Assert.Contains(report.Problems, p => p.StartsWith($"manifest 'nyud': splits.train.list '{list}' leads to ", StringComparison.Ordinal));
        Assert.DoesNotContain(report.Problems, p => p.Contains("private-line"));
        Assert.StartsWith($"splits.train.list '{list}' leads to ", OpenFails(fixture, manifest).Problem);
    }

    [Fact]
    public void DataVerifyFull_IdLeavingTheRoot_IsALineAndTheFileIsNotDecoded()
    {
        using var fixture = DataFixture.Nyud();
        using var outside = new Outside();
        File.WriteAllText(Path.Combine(outside.Folder, "evil.jpg"), "decoding this would say it is not a readable image");
        var id = Path.GetRelativePath(Path.Combine(fixture.Root, "images"), Path.Combine(outside.Folder, "evil"));
        File.WriteAllLines(TrainList(fixture), ["0000", "0001", id]);

        var (exit, output, error) = CliOutput.Run("data", "verify", fixture.Root, "--dataset", "nyud", "--manifest", fixture.ManifestPath, "--full");
        Assert.Equal(1, exit);
        Assert.Contains($"{TrainList(fixture)}: line 3: id '{id}' leads to {Path.Combine(outside.Folder, "evil.jpg")}, outside the data root", output + error);
        Assert.DoesNotContain("not a readable image", output + error);
        Assert.Contains("train: 3 ids", output);
    }

    [Fact]
    public void Open_SymlinkedFolderAndFileInsideTheRoot_StillLoad()
    {
        using var fixture = DataFixture.Nyud();
        using var outside = new Outside();
        // The images live elsewhere and the root links to them; one depth file is a link too.
        var images = Path.Combine(outside.Folder, "images");
        Directory.Move(Path.Combine(fixture.Root, "images"), images);
        Directory.CreateSymbolicLink(Path.Combine(fixture.Root, "images"), images);
        var depth = Path.Combine(outside.Folder, "0001.npy");
        File.Move(Path.Combine(fixture.Root, "depth", "0001.npy"), depth);
        File.CreateSymbolicLink(Path.Combine(fixture.Root, "depth", "0001.npy"), depth);

        var data = ManifestDataset.Open(fixture.Manifest, fixture.Root, "train", Options(fixture));
        using var batch = data.GetBatch([0, 1, 2]);
        Assert.Equal(new long[] { 3, 3, fixture.Height, fixture.Width }, batch.Images.shape);
        Assert.Equal(Path.Combine(fixture.Root, "images", "0001.jpg"), data.ImagePath("0001"));
        Assert.True(DataVerifier.Verify(fixture.Manifest, fixture.Root, full: true).IsValid);
    }

    [Fact]
    public void Open_NestedIds_Load()
    {
        using var fixture = DataFixture.Nyud();
        foreach (var (folder, extension) in new[] { ("images", ".jpg"), ("segmentation", ".png"), ("depth", ".npy"), ("normals", ".npy"), ("edge", ".npy") })
        {
            Directory.CreateDirectory(Path.Combine(fixture.Root, folder, "sub"));
            File.Move(Path.Combine(fixture.Root, folder, "0001" + extension), Path.Combine(fixture.Root, folder, "sub", "0001" + extension));
        }
        File.WriteAllLines(TrainList(fixture), ["0000", "sub/0001", "0002"]);

        var data = ManifestDataset.Open(fixture.Manifest, fixture.Root, "train", Options(fixture));
        Assert.Equal(["0000", "sub/0001", "0002"], data.Ids);
        Assert.Equal(Path.Combine(fixture.Root, "depth", "sub", "0001.npy"), data.LabelPath(fixture.Manifest.Task("depth"), "sub/0001"));
        using var batch = data.GetBatch([1]);
        Assert.Equal(new long[] { 1, 1, fixture.Height, fixture.Width }, batch.Labels["depth"].shape);
        Assert.True(DataVerifier.Verify(fixture.Manifest, fixture.Root, full: true).IsValid);
    }

    [Fact]
    public void Join_DotDotThatStaysInside_IsResolvedAndASiblingWithTheRootsNameIsOutside()
    {
        var root = new DataRootPath(Path.Combine(Path.GetTempPath(), "nyud"));
        Assert.Equal(Path.Combine(root.Root, "depth", "0001.npy"), root.Join("list", "id", "images", "../depth/0001.npy"));
        var error = Assert.Throws<DataSetException>(() => root.Join("list", "line 1: id '../nyud-other/x'", "../nyud-other/x"));
        Assert.Equal($"list: line 1: id '../nyud-other/x' leads to {Path.Combine(Path.GetTempPath(), "nyud-other", "x")}, outside the data root {root.Root}; " +
                     "paths in a data set must stay under its root.", error.Message);
    }
}
