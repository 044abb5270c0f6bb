using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Weights;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Weights;

/// <summary>Files written by the survey code's own NYUD HRNet models (Fixtures/make_survey_files.py: its get_model,
/// its HighResolutionNet narrowed to branches 8/16/32/64 so the files stay small) cross both ways: theirs load into the
/// network the builder makes and give their outputs, and ours, read back by Debian's PyTorch, have exactly their keys
/// and shapes (what <c>load_state_dict(strict=True)</c> asks) and their values. The full-size models are compared
/// with a checkout of their code by <c>mtl weights roundtrip</c>.</summary>
[Collection("Torch")]
public sealed class SurveyFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mtl-survey-files-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The code's hrnet_w18.yml as make_survey_files.py narrows it; the stem keeps the 64 channels the code fixes.</summary>
    private static HRNet Tiny => new(new HRNetOptions(Width: 8, StemChannels: 64, Stage1Planes: 8, Stage1Blocks: 1, Modules: [1, 1, 1], BlocksPerBranch: 1));

    private static MultiTaskNetBuilder Builder(string model)
    {
        var builder = MultiTaskNet.CreateBuilder().UseBackbone(Tiny).AddTask(DenseTasks.SemanticSegmentation(40)).AddTask(DenseTasks.Depth());
        return model switch
        {
            "hard-sharing" => builder.UseArchitecture(Architectures.HardSharing(Heads.HRNet())),
            "pad-net" => builder.UseArchitecture(Architectures.PadNet(channels: 256)),   // the code fixes 256; ours narrows with the backbone
            "mti-net" => builder.UseArchitecture(Architectures.MtiNet()),
            "mti-net-aux" => builder.UseArchitecture(Architectures.MtiNet()).AddAuxiliaryTask(DenseTasks.SurfaceNormals()).AddAuxiliaryTask(DenseTasks.Edges()),
            _ => throw new ArgumentException(model),
        };
    }

    private string Unzipped(string name)
    {
        var target = Path.Combine(_folder, name);
        using var source = new GZipStream(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "survey_files", name + ".gz")), CompressionMode.Decompress);
        using var file = File.Create(target);
        source.CopyTo(file);
        return target;
    }

    [Theory]
    [InlineData("hard-sharing")]
    [InlineData("pad-net")]
    [InlineData("mti-net")]
    [InlineData("mti-net-aux")]   // the FPM's task order (ReferenceTaskOrder): main-then-auxiliary was 1 % off
    public void TheirFile_LoadsIntoOurs_WithTheirOutputs_AndOursLoadsStrictlyWithTheirValues(string model)
    {
        var theirs = Unzipped(model + ".pth");
        using var built = Builder(model).Build();
        var net = built.Network;
        net.LoadWeights(theirs);
        net.eval();
        using (var io = StateDictFile.Read(Unzipped(model + "_io.pth")))
        using (no_grad())
        using (NewDisposeScope())
        {
            var outputs = net.call(io.Tensors["x"]);
            foreach (var task in new[] { "semseg", "depth" })
            {
                var expected = io.Tensors[task];
                Assert.Equal(expected.shape, outputs[task].shape);
                double difference = (outputs[task] - expected).abs().max().item<float>(), scale = expected.abs().max().item<float>();
                Assert.True(difference <= 1e-5 * scale, $"{model} {task}: largest |PyTorch − ours| {difference:g3}, largest output {scale:g3}");
            }
        }

        var files = new[] { Path.Combine(_folder, "ours.pth"), Path.Combine(_folder, "ours.safetensors") };
        foreach (var file in files) net.SaveWeights(file, referenceNames: true);
        using var report = JsonDocument.Parse(Python(["compare_state_dicts.py", theirs, .. files]));
        foreach (var file in files)
        {
            var result = report.RootElement.GetProperty(file);
            foreach (var list in new[] { "missing", "unexpected", "shape" })
                Assert.True(result.GetProperty(list).GetArrayLength() == 0, $"{Path.GetFileName(file)}: {list} keys {result.GetProperty(list)}");
            Assert.Equal(0.0, result.GetProperty("largest").GetDouble());
        }
    }

    private static string Python(string[] arguments)
    {
        var start = new ProcessStartInfo(PyTorchSide.Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Fixtures", arguments[0]));
        foreach (var argument in arguments.Skip(1)) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{PyTorchSide.Python} did not start.");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) process.Kill(entireProcessTree: true);
        Assert.True(process.ExitCode == 0, $"{arguments[0]} failed (PyTorch needs apt-get install python3-torch; .ci/run does):\n{error.Result}");
        return output.Trim().Split('\n')[^1];
    }
}
