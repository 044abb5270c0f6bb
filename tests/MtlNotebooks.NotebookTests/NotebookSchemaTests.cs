using MtlNotebooks.Scripting;

namespace MtlNotebooks.NotebookTests;

/// <summary>A malformed notebook is refused when it is read, with every field at fault named, never an exception from
/// deep inside a run.</summary>
public sealed class NotebookSchemaTests
{
    private static string Problem(string json) => Assert.Throws<NotebookFormatException>(() => NotebookDocument.Parse(json, "bad.ipynb")).Message;

    private const string Cell = """{"cell_type": "code", "source": "1", "metadata": {}, "outputs": []}""";

    [Theory]
    [InlineData("""{"nbformat": "4", "metadata": {}, "cells": []}""", "\"nbformat\" is the string \"4\"; it must be the number 4")]
    [InlineData("""{"nbformat": 4, "metadata": {}, "cells": [{"cell_type": "code", "source": 42, "metadata": {}}]}""", "cell 1: \"source\" is a number (42); it must be a string or a list of strings")]
    [InlineData("""{"nbformat": 4, "metadata": {}, "cells": [{"cell_type": "code", "source": ["a", 1]}]}""", "cell 1: \"source\" is a list; it must be a string or a list of strings")]
    [InlineData("""{"nbformat": 4, "metadata": {}, "cells": {}}""", "\"cells\" is an object; it must be a list of cells")]
    [InlineData("""{"nbformat": 4, "metadata": [], "cells": []}""", "\"metadata\" is a list; it must be an object")]
    [InlineData("""{"nbformat": 4, "metadata": {}, "cells": [7]}""", "cell 1: is a number (7); a cell must be an object")]
    [InlineData("""{"nbformat": 4, "metadata": {}, "cells": [{"cell_type": "python", "source": ""}]}""", "cell 1: \"cell_type\" is the string \"python\"; it must be one of code, markdown, raw")]
    [InlineData("""{"nbformat": 4, "metadata": {}, "cells": [{"cell_type": "code", "source": "", "metadata": {"tags": "parameters"}}]}""", "cell 1: \"metadata.tags\" is the string \"parameters\"; it must be a list of strings")]
    [InlineData("""{"nbformat": 4, "metadata": {}, "cells": [{"cell_type": "code", "source": "", "outputs": "none"}]}""", "cell 1: \"outputs\" is the string \"none\"; it must be a list")]
    [InlineData("""{"nbformat": 3, "metadata": {}, "worksheets": []}""", "bad.ipynb has nbformat 3; the runner reads nbformat 4.")]
    [InlineData("""{"nbformat": 4, "metadata": {"kernelspec": "csharp"}, "cells": []}""", "\"metadata.kernelspec\" is the string \"csharp\"; it must be an object with a string \"name\"")]
    [InlineData("""{"nbformat": 4, "metadata": {"kernelspec": {"name": 1}}, "cells": []}""", "\"metadata.kernelspec\" is an object; it must be an object with a string \"name\"")]
    [InlineData("""{"nbformat": 4, "metadata": {}""", "bad.ipynb is not valid JSON")]
    public void Malformed_IsNamedByField(string json, string expected) => Assert.Contains(expected, Problem(json));

    [Fact]
    public void EveryProblem_IsNamedAtOnce()
    {
        var message = Problem($$"""{"nbformat": 4, "metadata": {}, "cells": [{{Cell}}, {"cell_type": "code", "source": 1}, {{Cell}}, {"cell_type": 2, "source": ""}]}""");
        Assert.Contains("cell 2: \"source\"", message);
        Assert.Contains("cell 4: \"cell_type\"", message);
        Assert.DoesNotContain("cell 1", message);
    }

    [Fact]
    public void TheCli_ReportsIt_WithoutAStackTrace()
    {
        var scratch = Directory.CreateTempSubdirectory("mtl-schema-");
        try
        {
            var path = Path.Combine(scratch.FullName, "bad.ipynb");
            File.WriteAllText(path, """{"nbformat": "4", "metadata": {}, "cells": [{"cell_type": "code", "source": 3}]}""");
            var (exit, error) = RunnerOutputTests.Cli("notebook", path, "--output", Path.Combine(scratch.FullName, "out.ipynb"));
            Assert.Equal(2, exit);
            Assert.Contains("\"nbformat\" is the string \"4\"", error);
            Assert.Contains("cell 1: \"source\" is a number (3)", error);
            Assert.DoesNotContain("   at ", error);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
}
