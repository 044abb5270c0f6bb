using System.Text.Json;

namespace MtlNotebooks.Data;

/// <summary>
/// The schema of <c>data-manifests/*.json</c>, checked before a manifest is used: every field known, required fields
/// present, types and enumerations (label formats) right, names unique and cross-references (loss weights → tasks)
/// resolved. A misspelt field or format is an error naming its path (<c>tasks.depth.format</c>), never a task that is
/// silently skipped. Plain code over <see cref="JsonElement"/>: the schema is small and the messages matter more
/// than a general validator's.
/// </summary>
internal static class ManifestSchema
{
    private enum Kind { Text, Integer, Number, Boolean, Object, Array, Map }

    /// <summary>A field: its JSON kind, whether it is required, for objects its fields, for arrays and maps the items.</summary>
    private sealed record Field(string Name, Kind Kind, bool Required = true, IReadOnlyList<Field>? Fields = null, Field? Item = null,
        IReadOnlyCollection<string>? OneOf = null, int Min = int.MinValue, bool NotEmpty = false);

    private static Field Text(string name, bool required = true, bool notEmpty = false) => new(name, Kind.Text, required, NotEmpty: notEmpty);
    private static Field Integer(string name, bool required = true, int min = int.MinValue) => new(name, Kind.Integer, required, Min: min);
    private static Field Object(string name, params Field[] fields) => new(name, Kind.Object, Fields: fields);
    private static Field ListOf(string name, Field item, bool required = true) => new(name, Kind.Array, required, Item: item, NotEmpty: required);

    /// <summary>The image formats a manifest may name (the photographs SkiaSharp decodes).</summary>
    public static IReadOnlyCollection<string> ImageFormats { get; } = ["jpeg", "png"];

    private static readonly Field Root = Object("",
        Text("id", notEmpty: true), Text("name", notEmpty: true), Text("description"), Text("reference"),
        Object("source", Text("url"), Text("alternativeUrl", required: false), Text("archive"), Text("notes")),
        Object("image", Text("folder", notEmpty: true), Text("pattern", notEmpty: true),
            new Field("format", Kind.Text, OneOf: ImageFormats), Integer("height", false, 1), Integer("width", false, 1)),
        ListOf("splits", Object("", Text("name", notEmpty: true), Text("list", notEmpty: true), Integer("count", min: 0))),
        ListOf("tasks", Object("",
            Text("name", notEmpty: true), ListOf("folders", Text("", notEmpty: true)), Text("pattern", notEmpty: true),
            new Field("format", Kind.Text, OneOf: (IReadOnlyCollection<string>)DataManifest.SupportedFormats), Text("encoding"),
            Integer("classes", false, 1), new Field("zeroIsIgnore", Kind.Boolean, false), Integer("offset", false),
            ListOf("classNames", Text(""), required: false), Text("maskPattern", required: false),
            ListOf("maskValidClasses", Integer("", min: 0), required: false))),
        new Field("lossWeights", Kind.Map, Item: new Field("", Kind.Number)),
        Object("training", Integer("height", min: 1), Integer("width", min: 1), Text("notes")));

    /// <summary>Every problem of the manifest <paramref name="root"/>, each as "field.path: what is wrong".</summary>
    public static IReadOnlyList<string> Check(JsonElement root)
    {
        var problems = new List<string>();
        if (Shape(root, Root, "", problems)) Meaning(root, problems);
        return problems;
    }

    /// <summary>Structure: known fields, required fields, kinds, enumerations, ranges. True when the structure allows
    /// the cross-field checks.</summary>
    private static bool Shape(JsonElement value, Field field, string path, List<string> problems)
    {
        int before = problems.Count;
        var at = path.Length == 0 ? "the manifest" : path;
        if (!Is(value, field.Kind))
        {
            problems.Add($"{at}: is {Describe(value)}; expected {Expected(field.Kind)}");
            return false;
        }
        switch (field.Kind)
        {
            case Kind.Text when field.NotEmpty && string.IsNullOrWhiteSpace(value.GetString()):
                problems.Add($"{at}: is empty");
                break;
            case Kind.Text when field.OneOf is { } oneOf && !oneOf.Contains(value.GetString()!):
                problems.Add($"{at}: unknown {field.Name} '{value.GetString()}'; expected one of {string.Join(", ", oneOf)}");
                break;
            case Kind.Integer when value.GetInt64() < field.Min:
                problems.Add($"{at}: is {value.GetInt64()}; it must be at least {field.Min}");
                break;
            case Kind.Number when !(value.GetDouble() >= 0):
                problems.Add($"{at}: is {value.GetRawText()}; it must be a number >= 0");
                break;
            case Kind.Array:
                if (field.NotEmpty && value.GetArrayLength() == 0) problems.Add($"{at}: is empty");
                int i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    // Array elements with a name are addressed by it (tasks.depth), the others by index (folders[0]).
                    var name = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String
                        ? "." + n.GetString() : $"[{i}]";
                    Shape(item, field.Item!, path + name, problems);
                    i++;
                }
                break;
            case Kind.Map:
                foreach (var entry in value.EnumerateObject()) Shape(entry.Value, field.Item!, $"{path}.{entry.Name}", problems);
                break;
            case Kind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in value.EnumerateObject())
                {
                    var child = $"{(path.Length == 0 ? "" : path + ".")}{property.Name}";
                    var known = field.Fields!.FirstOrDefault(f => f.Name == property.Name);
                    if (!seen.Add(property.Name)) problems.Add($"{child}: appears more than once");
                    else if (known is null) problems.Add($"{child}: unknown field{Suggest(property.Name, field.Fields!)}; expected one of {string.Join(", ", field.Fields!.Select(f => f.Name))}");
                    else if (property.Value.ValueKind == JsonValueKind.Null && !known.Required) continue;
                    else Shape(property.Value, known, child, problems);
                }
                foreach (var missing in field.Fields!.Where(f => f.Required && !seen.Contains(f.Name)))
                    problems.Add($"{(path.Length == 0 ? "" : path + ".")}{missing.Name}: is required but missing");
                break;
        }
        return problems.Count == before;
    }

    /// <summary>Cross-field rules, on a manifest whose structure is right.</summary>
    private static void Meaning(JsonElement root, List<string> problems)
    {
        static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        static bool Has(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

        var image = root.GetProperty("image");
        if (!Str(image, "pattern")!.Contains("{id}")) problems.Add("image.pattern: has no {id} placeholder for the sample id");
        if (Has(image, "height") != Has(image, "width")) problems.Add("image: give both height and width, or neither (variable size)");
        foreach (var dup in root.GetProperty("splits").EnumerateArray().GroupBy(s => Str(s, "name")).Where(g => g.Count() > 1))
            problems.Add($"splits.{dup.Key}: appears more than once");
        var tasks = root.GetProperty("tasks").EnumerateArray().ToList();
        foreach (var dup in tasks.GroupBy(t => Str(t, "name")).Where(g => g.Count() > 1))
            problems.Add($"tasks.{dup.Key}: appears more than once");
        foreach (var task in tasks)
        {
            var at = "tasks." + Str(task, "name");
            var format = Str(task, "format");
            if (!Str(task, "pattern")!.Contains("{id}")) problems.Add($"{at}.pattern: has no {{id}} placeholder for the sample id");
            if (format == "png-classes" && !Has(task, "classes")) problems.Add($"{at}.classes: is required for format png-classes");
            if (Has(task, "classes") && Has(task, "classNames") && task.GetProperty("classNames").GetArrayLength() != task.GetProperty("classes").GetInt32())
                problems.Add($"{at}.classNames: lists {task.GetProperty("classNames").GetArrayLength()} names for {task.GetProperty("classes").GetInt32()} classes");
            if (Has(task, "maskPattern") != Has(task, "maskValidClasses"))
                problems.Add($"{at}: maskPattern and maskValidClasses go together (the LabelMap file and the classes it keeps)");
            if (Has(task, "maskPattern") && format is not ("png-normals" or "npy-normals"))
                problems.Add($"{at}.maskPattern: only normals (png-normals, npy-normals) are masked; format {format} would ignore it");
            if (Str(task, "maskPattern") is { } mask && !mask.Contains("{id}")) problems.Add($"{at}.maskPattern: has no {{id}} placeholder for the sample id");
        }
        var names = tasks.Select(t => Str(t, "name")).ToHashSet();
        foreach (var weight in root.GetProperty("lossWeights").EnumerateObject().Where(w => !names.Contains(w.Name)))
            problems.Add($"lossWeights.{weight.Name}: no task of that name; tasks: {string.Join(", ", names)}");
    }

    private static bool Is(JsonElement value, Kind kind) => kind switch
    {
        Kind.Text => value.ValueKind == JsonValueKind.String,
        Kind.Integer => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _),
        Kind.Number => value.ValueKind == JsonValueKind.Number,
        Kind.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        Kind.Array => value.ValueKind == JsonValueKind.Array,
        _ => value.ValueKind == JsonValueKind.Object,
    };

    private static string Expected(Kind kind) => kind switch
    {
        Kind.Text => "a string",
        Kind.Integer => "an integer",
        Kind.Number => "a number",
        Kind.Boolean => "true or false",
        Kind.Array => "an array",
        _ => "an object",
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    /// <summary>" (did you mean 'format'?)" for a field one or two edits from a known one.</summary>
    private static string Suggest(string name, IEnumerable<Field> fields)
    {
        var best = fields.Select(f => (f.Name, Distance: Distance(name.ToLowerInvariant(), f.Name.ToLowerInvariant()))).MinBy(f => f.Distance);
        return best.Distance <= 2 ? $" (did you mean '{best.Name}'?)" : "";
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
