using MtlNotebooks.Data;

namespace MtlNotebooks.Tests.Data;

/// <summary>Manifests are checked against their schema, naming the file and the field path.</summary>
[Collection("Torch")]
public sealed class ManifestSchemaTests
{
    private static string ManifestFails(string path)
    {
        var error = Assert.Throws<DataSetException>(() => DataManifest.Load(path));
        Assert.Equal(path, error.FilePath);
        return error.Message;
    }

    [Fact]
    public void Manifest_MisspeltFormat_NamesFileFieldAndChoices()
    {
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m => BadFiles.Task(m, "depth")["format"] = "npz");
        Assert.Equal($"{path}: tasks.depth.format: unknown format 'npz'; expected one of png-classes, png-binary, png-normals, npy-depth, " +
                     "npy-normals, npy-edge, mat-human-parts, mat-labelmap-edges", ManifestFails(path));
    }

    [Fact]
    public void Manifest_MisspeltFieldName_SaysUnknownFieldAndTheMissingOne()
    {
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m =>
        {
            var depth = BadFiles.Task(m, "depth");
            depth["fromat"] = depth["format"]!.DeepClone();
            depth.Remove("format");
        });
        var message = ManifestFails(path);
        Assert.Contains($"{path}: tasks.depth.fromat: unknown field (did you mean 'format'?); expected one of name, folders, pattern, format", message);
        Assert.Contains($"{path}: tasks.depth.format: is required but missing", message);
    }

    [Fact]
    public void Manifest_UnknownTopLevelField_SuggestsTheKnownOne()
    {
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m =>
        {
            m["lossWeight"] = m["lossWeights"]!.DeepClone();
            m.Remove("lossWeights");
        });
        var message = ManifestFails(path);
        Assert.Contains($"{path}: lossWeight: unknown field (did you mean 'lossWeights'?)", message);
        Assert.Contains($"{path}: lossWeights: is required but missing", message);
    }

    [Fact]
    public void Manifest_MissingSplits_SaysRequired()
    {
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m => m.Remove("splits"));
        Assert.Equal($"{path}: splits: is required but missing", ManifestFails(path));
    }

    [Fact]
    public void Manifest_CountAsString_SaysExpectedAnInteger()
    {
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m => m["splits"]![0]!["count"] = "795");
        Assert.Equal($"{path}: splits.train.count: is the string \"795\"; expected an integer", ManifestFails(path));
    }

    [Fact]
    public void Manifest_LossWeightForNoTask_NamesTheKey()
    {
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m => m["lossWeights"]!["semsge"] = 1);
        Assert.Equal($"{path}: lossWeights.semsge: no task of that name; tasks: semseg, depth, normals, edge", ManifestFails(path));
    }

    [Fact]
    public void Manifest_TaskListedTwice_SaysSo()
    {
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m => m["tasks"]!.AsArray().Add(BadFiles.Task(m, "depth").DeepClone()));
        Assert.Equal($"{path}: tasks.depth: appears more than once", ManifestFails(path));
    }

    [Fact]
    public void Manifest_UnknownImageFormatAndZeroClasses_ListsBothProblems()
    {
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m =>
        {
            BadFiles.Task(m, "semseg")["classes"] = 0;
            m["image"]!["format"] = "jpg";
        });
        var message = ManifestFails(path);
        Assert.Contains($"{path}: image.format: unknown format 'jpg'; expected one of jpeg, png", message);
        Assert.Contains($"{path}: tasks.semseg.classes: is 0; it must be at least 1", message);
    }

    [Fact]
    public void Manifest_EdgePatternWithoutId_SaysNoPlaceholder()
    {
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m => BadFiles.Task(m, "edge")["pattern"] = "edge.npy");
        Assert.Equal($"{path}: tasks.edge.pattern: has no {{id}} placeholder for the sample id", ManifestFails(path));
    }

    [Theory]
    [InlineData("nyud")]
    [InlineData("pascal")]
    public void Manifest_RealManifests_PassTheSchema(string id)
    {
        var manifest = DataManifest.ForDataSet(id);
        Assert.Empty(manifest.Validate());
    }

    [Fact]
    public void DataVerify_MisspeltManifest_PrintsFileAndField()
    {
        using var fixture = DataFixture.Nyud();
        using var files = new BadFiles();
        var path = files.Manifest("x.json", m => BadFiles.Task(m, "depth")["format"] = "npz");
        var (exit, output) = BadDataTests.Cli("data", "verify", fixture.Root, "--dataset", "nyud", "--manifest", path);
        Assert.Equal(1, exit);
        Assert.Contains($"{path}: tasks.depth.format: unknown format 'npz'", output);
    }
}
