using MtlNotebooks.Runtime;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MtlNotebooks.Weights;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Training;

/// <summary>Single-file checkpoints: magic, payload length, payload (info as JSON, network, optimiser and balancer
/// state in TorchSharp's format), SHA-256 of the payload. Written to a temporary file and renamed into place, so a
/// crash never leaves a truncated checkpoint where a good one was; read back only after length and hash check out.</summary>
public static class Checkpoint
{
    /// <summary>A step's weights or a metric can be NaN or infinite (a balancer's bug, an empty class): the history keeps
    /// them as "NaN"/"Infinity" rather than failing to save.</summary>
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static void Save(string path, MultiTaskModel model, OptimizerHelper optimizer, CheckpointInfo info)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(JsonSerializer.Serialize(info, Json));
            model.Network.save(writer);
            optimizer.save_state_dict(writer);
            model.Balancer.save(writer);
        }
        var bytes = payload.ToArray();
        AtomicFile.Write(path, stream => CheckpointFile.Write(stream, bytes));
    }

    /// <summary>Reads only the info of a checkpoint (after checking its integrity).</summary>
    public static CheckpointInfo ReadInfo(string path)
    {
        using var reader = new BinaryReader(new MemoryStream(ReadVerifiedPayload(path)), Encoding.UTF8);
        return ReadInfo(reader, path);
    }

    /// <summary>Restores network, optimiser and balancer state; fails with a message naming the file when it is
    /// missing, truncated, corrupt or written for a different model.</summary>
    public static CheckpointInfo Load(string path, MultiTaskModel model, OptimizerHelper optimizer)
    {
        using var reader = new BinaryReader(new MemoryStream(ReadVerifiedPayload(path)), Encoding.UTF8);
        var info = ReadInfo(reader, path);
        var tasks = model.AllTasks.Select(t => t.Name).ToArray();
        var problems = new List<string>();
        if (info.Architecture != model.Plan.Architecture.Name)
            problems.Add($"architecture '{info.Architecture}' (this model: '{model.Plan.Architecture.Name}')");
        if (!info.Tasks.SequenceEqual(tasks))
            problems.Add($"tasks [{string.Join(", ", info.Tasks)}] (this model: [{string.Join(", ", tasks)}])");
        if (info.Balancer != model.Plan.Balancer.Name)
            problems.Add($"balancer '{info.Balancer}' (this model: '{model.Plan.Balancer.Name}'; its state would not fit)");
        if (info.Parameters != model.Network.ParameterCount())
            problems.Add($"{info.Parameters:N0} parameters (this model: {model.Network.ParameterCount():N0}; backbone '{info.Backbone}' vs '{model.Plan.Backbone!.Name}')");
        if (problems.Count > 0)
            throw new CheckpointException(path, "was written for a different model: " + string.Join("; ", problems) + ".");
        try
        {
            model.Network.load(reader);
            optimizer.load_state_dict(reader);
            model.Balancer.load(reader);
        }
        catch (Exception ex) when (ex is not CheckpointException)
        {
            throw new CheckpointException(path, $"its weights do not fit this model: {ex.Message.Split('\n')[0]}", ex);
        }
        return info;
    }

    /// <summary>The network's state dict alone (after checking the file's integrity), for export to PyTorch's formats.</summary>
    public static Dictionary<string, Tensor> ReadNetwork(string path) =>
        CheckpointFile.ReadNetwork(path, reason => new CheckpointException(path, reason));

    private static CheckpointInfo ReadInfo(BinaryReader reader, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<CheckpointInfo>(reader.ReadString(), Json)
                   ?? throw new CheckpointException(path, "has an empty header.");
        }
        catch (Exception ex) when (ex is JsonException or EndOfStreamException or IOException)
        {
            throw new CheckpointException(path, $"has an unreadable header: {ex.Message}", ex);
        }
    }

    private static byte[] ReadVerifiedPayload(string path) =>
        CheckpointFile.ReadPayload(path, reason => new CheckpointException(path, reason));
}
