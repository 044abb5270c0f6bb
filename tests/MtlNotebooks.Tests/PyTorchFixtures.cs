using System.Text.Json;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests;

/// <summary>Reads the PyTorch reference fixtures under Fixtures/ (written by the make_*_fixtures.py scripts) and loads
/// their weights into a module.</summary>
internal static class PyTorchFixtures
{
    public static T Load<T>(string name) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name)),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;

    /// <summary>Asserts that <paramref name="module"/> has exactly the fixture's state-dict keys (BN step counters aside),
    /// copies the values in and switches to evaluation mode.</summary>
    public static void CopyState(nn.Module module, IReadOnlyDictionary<string, Func<Tensor>> state)
    {
        var ours = module.state_dict();
        var keys = ours.Keys.Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)).Order().ToArray();
        Assert.Equal(state.Keys.Order().ToArray(), keys);
        using (no_grad())
            foreach (var (name, value) in state)
            {
                using var stored = value();
                ours[name].copy_(stored);
            }
        module.eval();
    }
}
