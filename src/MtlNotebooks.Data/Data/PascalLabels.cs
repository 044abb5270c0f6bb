namespace MtlNotebooks.Data;

/// <summary>PASCAL-Context labels that the references derive from MATLAB files: human parts from the Pascal-Part
/// annotations, semantic edges from the LabelMap, and the class mask of the distilled normals.</summary>
public static class PascalLabels
{
    /// <summary>Pascal-Part's person class index.</summary>
    public const int PersonClass = 15;

    /// <summary>The references' 6-part grouping (HUMAN_PART[6] in data/pascal_context.py): part name → 1 head,
    /// 2 torso, 3 upper arm, 4 lower arm (with hand), 5 upper leg, 6 lower leg (with foot).</summary>
    public static IReadOnlyDictionary<string, int> SixParts { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["hair"] = 1, ["head"] = 1, ["lear"] = 1, ["lebrow"] = 1, ["leye"] = 1, ["mouth"] = 1, ["nose"] = 1, ["rear"] = 1, ["rebrow"] = 1, ["reye"] = 1,
        ["neck"] = 2, ["torso"] = 2,
        ["luarm"] = 3, ["ruarm"] = 3,
        ["llarm"] = 4, ["lhand"] = 4, ["rlarm"] = 4, ["rhand"] = 4,
        ["luleg"] = 5, ["ruleg"] = 5,
        ["llleg"] = 6, ["lfoot"] = 6, ["rlleg"] = 6, ["rfoot"] = 6,
    };

    /// <summary>The human-part map [H×W] (row-major) of a Pascal-Part annotation file: every object of class 15 that has
    /// parts paints its parts (in file order) with <see cref="SixParts"/>; everything else is 0. An image without
    /// annotated people is all <see cref="LabelImages.IgnoreLabel"/>, as the references' AddIgnoreRegions makes it.</summary>
    public static float[] HumanParts(string path, int height, int width)
    {
        var variables = MatFile.Read(path);
        if (!variables.TryGetValue("anno", out var anno) || anno is not MatStruct { Count: >= 1 } annotation || annotation.Fields.Count < 2)
            throw new DataSetException(path, "has no Pascal-Part 'anno' struct (fields imname, objects).");
        var result = new float[height * width];
        bool anyPart = false;
        // anno.objects is the second field, as the references index it (['anno'][0][0][1]).
        if (annotation.Elements[0][1] is MatStruct objects && objects.Fields.Count >= 4)
        {
            for (int o = 0; o < objects.Count; o++)
            {
                var fields = objects.Elements[o];
                bool person = fields[1] is MatNumeric { Data.Length: > 0 } cls && (int)cls.Data[0] == PersonClass;
                if (!person || fields[3] is not MatStruct { Count: > 0 } parts || parts.Fields.Count < 2) continue;
                for (int p = 0; p < parts.Count; p++)
                {
                    var name = parts.Elements[p][0] is MatChar c ? c.Text : "";
                    if (!SixParts.TryGetValue(name, out var id))
                        throw new DataSetException(path, $"has a person part named '{name}', which the 6-part grouping does not know.");
                    if (parts.Elements[p][1] is not MatNumeric mask || mask.Dimensions.Count != 2 || mask.Dimensions[0] != height || mask.Dimensions[1] != width)
                        throw new DataSetException(path, $"has a mask for part '{name}' that is not {height}x{width} like its image.");
                    for (int y = 0; y < height; y++)
                        for (int x = 0; x < width; x++)
                            if (mask[y, x] != 0)
                            {
                                result[y * width + x] = id;
                                anyPart = true;
                            }
                }
            }
        }
        if (!anyPart) Array.Fill(result, LabelImages.IgnoreLabel);
        return result;
    }

    /// <summary>The LabelMap [H×W] (459 PASCAL-Context classes) of a pascal-context/trainval file.</summary>
    public static (float[] Values, int Height, int Width) LabelMap(string path) => MatFile.ReadMatrix(path, "LabelMap");

    /// <summary>Semantic edges from a class map as the references compute them: the pixels where the 4-neighbour
    /// Laplacian (OpenCV's ksize 1, reflect-101 border) is non-zero, thinned by <see cref="Thin"/>.</summary>
    public static float[] Edges(float[] labels, int height, int width)
    {
        var edge = new bool[height * width];
        int Reflect(int i, int n) => n == 1 ? 0 : i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double centre = labels[y * width + x];
                double laplacian = labels[Reflect(y - 1, height) * width + x] + labels[Reflect(y + 1, height) * width + x]
                                   + labels[y * width + Reflect(x - 1, width)] + labels[y * width + Reflect(x + 1, width)] - 4 * centre;
                edge[y * width + x] = laplacian != 0;
            }
        Thin(edge, height, width);
        return edge.Select(e => e ? 1f : 0f).ToArray();
    }

    /// <summary>Guo-Hall two-subiteration thinning (Guo and Hall, CACM 1989, algorithm A1), as
    /// skimage.morphology.thin: neighbours x1..x8 counter-clockwise from east; a pixel is removed when
    /// C(p) = 1, 2 ≤ min(N1, N2) ≤ 3, and (x2 ∨ x3 ∨ ¬x8) ∧ x1 = 0 in the first subiteration
    /// ((x6 ∨ x7 ∨ ¬x4) ∧ x5 = 0 in the second); repeated until nothing changes. Pixels outside the image are 0.</summary>
    public static void Thin(bool[] image, int height, int width)
    {
        var (first, second) = (Lut(firstPass: true), Lut(firstPass: false));
        var remove = new List<int>();
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var lut in new[] { first, second })
            {
                remove.Clear();
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                        if (image[y * width + x] && lut[Neighbours(image, height, width, y, x)]) remove.Add(y * width + x);
                foreach (var i in remove) image[i] = false;
                changed |= remove.Count > 0;
            }
        }
    }

    /// <summary>Neighbour code: bit k−1 is x_k with x1 = east, x2 = north-east, x3 = north, …, x8 = south-east.</summary>
    private static int Neighbours(bool[] image, int height, int width, int y, int x)
    {
        ReadOnlySpan<(int Dy, int Dx)> offsets = [(0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1), (1, 0), (1, 1)];
        int code = 0;
        for (int k = 0; k < 8; k++)
        {
            int yy = y + offsets[k].Dy, xx = x + offsets[k].Dx;
            if (yy >= 0 && yy < height && xx >= 0 && xx < width && image[yy * width + xx]) code |= 1 << k;
        }
        return code;
    }

    private static bool[] Lut(bool firstPass)
    {
        var lut = new bool[256];
        for (int code = 0; code < 256; code++)
        {
            bool X(int k) => ((code >> ((k - 1) % 8)) & 1) != 0;   // x9 = x1
            int c = 0, n1 = 0, n2 = 0;
            for (int i = 1; i <= 4; i++)
            {
                if (!X(2 * i - 1) && (X(2 * i) || X(2 * i + 1))) c++;
                if (X(2 * i - 1) || X(2 * i)) n1++;
                if (X(2 * i) || X(2 * i + 1)) n2++;
            }
            int n = Math.Min(n1, n2);
            bool g3 = firstPass ? !((X(2) || X(3) || !X(8)) && X(1)) : !((X(6) || X(7) || !X(4)) && X(5));
            lut[code] = c == 1 && n >= 2 && n <= 3 && g3;
        }
        return lut;
    }

    /// <summary>Zeroes the normals (H×W×3, channels last) of pixels whose LabelMap class is not in
    /// <paramref name="validClasses"/> (classes NYUD does not label, e.g. sky), as the references do.</summary>
    public static void MaskNormals(float[] normals, float[] labelMap, IReadOnlySet<int> validClasses)
    {
        for (int i = 0; i < labelMap.Length; i++)
            if (!validClasses.Contains((int)labelMap[i]))
                normals[3 * i] = normals[3 * i + 1] = normals[3 * i + 2] = 0;
    }
}
