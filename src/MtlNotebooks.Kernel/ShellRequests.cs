using System.Reflection;
using System.Text.Json.Nodes;

namespace MtlNotebooks.Kernel;

/// <summary>What the kernel answers on the shell and control channels. Every request is bracketed by status busy and
/// idle on iopub; an unknown request type is logged and answered by nothing, as Jupyter's own kernels do.</summary>
internal sealed class ShellRequests(JupyterKernel kernel, KernelSession session)
{
    private readonly CodeAssistance _assistance = new();

    /// <summary>The value of a cell's <c>Console.ReadLine()</c> comes from the client's stdin channel while it runs.</summary>
    private readonly KernelConsoleInput _input = KernelConsoleInput.Install(kernel);

    public void HandleShell(JupyterMessage request) => Busy(request, () =>
    {
        switch (request.Type)
        {
            case "kernel_info_request":
                kernel.Reply(kernel.ShellSocket, request, "kernel_info_reply", KernelInfo());
                break;
            case "execute_request":
                Execute(request);
                break;
            case "is_complete_request":
                var complete = CodeAssistance.IsComplete((string?)request.Content["code"] ?? "");
                kernel.Reply(kernel.ShellSocket, request, "is_complete_reply",
                    complete ? new JsonObject { ["status"] = "complete" } : new JsonObject { ["status"] = "incomplete", ["indent"] = "    " });
                break;
            case "complete_request":
                Complete(request);
                break;
            case "inspect_request":
                Inspect(request);
                break;
            case "comm_info_request":
                kernel.Reply(kernel.ShellSocket, request, "comm_info_reply", new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() });
                break;
            case "history_request":
                kernel.Reply(kernel.ShellSocket, request, "history_reply", new JsonObject { ["status"] = "ok", ["history"] = new JsonArray() });
                break;
            default:
                kernel.Log.Write($"shell: {request.Type} is not supported; ignored");
                break;
        }
    });

    public void HandleControl(JupyterMessage request)
    {
        switch (request.Type)
        {
            case "interrupt_request":
                Interrupt("interrupt_request");
                kernel.Reply(kernel.ControlSocket, request, "interrupt_reply", new JsonObject { ["status"] = "ok" });
                break;
            case "shutdown_request":
                var restart = (bool?)request.Content["restart"] ?? false;
                kernel.Reply(kernel.ControlSocket, request, "shutdown_reply", new JsonObject { ["status"] = "ok", ["restart"] = restart });
                kernel.Publish("shutdown_reply", new JsonObject { ["status"] = "ok", ["restart"] = restart }, request);
                kernel.Log.Write(restart ? "shutdown for a restart" : "shutdown");
                kernel.Stop(restart);
                break;
            case "kernel_info_request":
                kernel.Reply(kernel.ControlSocket, request, "kernel_info_reply", KernelInfo());
                break;
            default:
                kernel.Log.Write($"control: {request.Type} is not supported; ignored");
                break;
        }
    }

    public void Interrupt(string how) =>
        kernel.Log.Write(session.Interrupt() ? $"{how}: the running cell's token is cancelled" : $"{how}: no cell is running");

    private void Busy(JupyterMessage request, Action handle)
    {
        kernel.Publish("status", new JsonObject { ["execution_state"] = "busy" }, request);
        try
        {
            handle();
        }
        finally
        {
            kernel.Publish("status", new JsonObject { ["execution_state"] = "idle" }, request);
        }
    }

    private void Execute(JupyterMessage request)
    {
        var code = (string?)request.Content["code"] ?? "";
        var silent = (bool?)request.Content["silent"] ?? false;
        var storeHistory = !silent && ((bool?)request.Content["store_history"] ?? true);
        var allowStdin = (bool?)request.Content["allow_stdin"] ?? false;
        if (!silent)
            kernel.Publish("execute_input", new JsonObject { ["code"] = code, ["execution_count"] = session.ExecutionCount + (storeHistory ? 1 : 0) }, request);
        // Not disposed with the request: a cell's background task may still print; Dispose only sends what is gathered so far.
        var outputs = new IopubOutputs((type, content) =>
        {
            if (!silent) kernel.Publish(type, content, request);
        });
        CellOutcome outcome;
        using (_input.For(allowStdin ? request : null))
            outcome = session.ExecuteAsync(code, outputs, storeHistory).GetAwaiter().GetResult();
        outputs.Dispose();   // the cell's text goes before its reply
        var reply = new JsonObject { ["execution_count"] = outcome.ExecutionCount };
        if (outcome.Succeeded)
        {
            reply["status"] = "ok";
            reply["user_expressions"] = new JsonObject();
            reply["payload"] = new JsonArray();
        }
        else
        {
            reply["status"] = "error";
            reply["ename"] = outcome.ErrorName;
            reply["evalue"] = outcome.ErrorValue;
            reply["traceback"] = new JsonArray((outcome.Traceback ?? []).Select(l => (JsonNode?)l).ToArray());
        }

        kernel.Reply(kernel.ShellSocket, request, "execute_reply", reply);
    }

    private void Complete(JupyterMessage request)
    {
        var code = (string?)request.Content["code"] ?? "";
        var cursor = CodePoints.ToUtf16(code, (int?)request.Content["cursor_pos"] ?? code.Length);
        session.Ready.GetAwaiter().GetResult();
        var result = _assistance.CompleteAsync(session.Script, code, cursor, CancellationToken.None).GetAwaiter().GetResult();
        kernel.Reply(kernel.ShellSocket, request, "complete_reply", new JsonObject
        {
            ["status"] = "ok",
            ["matches"] = new JsonArray(result.Matches.Select(m => (JsonNode?)m).ToArray()),
            ["cursor_start"] = CodePoints.FromUtf16(code, result.CursorStart),
            ["cursor_end"] = CodePoints.FromUtf16(code, result.CursorEnd),
            ["metadata"] = new JsonObject(),
        });
    }

    private void Inspect(JupyterMessage request)
    {
        var code = (string?)request.Content["code"] ?? "";
        var cursor = CodePoints.ToUtf16(code, (int?)request.Content["cursor_pos"] ?? code.Length);
        session.Ready.GetAwaiter().GetResult();
        var text = _assistance.InspectAsync(session.Script, code, cursor, CancellationToken.None).GetAwaiter().GetResult();
        kernel.Reply(kernel.ShellSocket, request, "inspect_reply", new JsonObject
        {
            ["status"] = "ok",
            ["found"] = text is not null,
            ["data"] = text is null ? new JsonObject() : new JsonObject { ["text/plain"] = text },
            ["metadata"] = new JsonObject(),
        });
    }

    private static JsonObject KernelInfo() => new()
    {
        ["status"] = "ok",
        ["protocol_version"] = JupyterMessage.ProtocolVersion,
        ["implementation"] = "mtlnotebooks-csharp",
        ["implementation_version"] = typeof(ShellRequests).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0",
        ["language_info"] = new JsonObject
        {
            ["name"] = "C#",
            ["version"] = "14.0",
            ["mimetype"] = "text/x-csharp",
            ["file_extension"] = ".cs",
            ["pygments_lexer"] = "csharp",
            ["codemirror_mode"] = "text/x-csharp",
        },
        ["banner"] = $"C# (Roslyn scripting) on .NET {Environment.Version}, with the MtlNotebooks library and formatters",
        ["help_links"] = new JsonArray(),
    };
}
