"""Drives the C# kernel with jupyter_client, the client library Jupyter itself uses, and checks each answer.

Usage: kernel_protocol.py KERNEL_NAME   (JUPYTER_PATH must hold the kernelspec). Prints one line per check; exits 1
on the first failure, naming it."""
import json
import sys
import time
import zmq

from jupyter_client.manager import KernelManager

TIMEOUT = 180

# A small model, and a cell that trains it far longer than any test waits: it stops only when interrupted.
MODEL_CELL = """using MtlNotebooks;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Training;
var (train, validation) = SyntheticDataset.CreateSplits(16, 4, 16, 16, 0);
var model = MultiTaskNet.CreateBuilder().UseBackbone(Backbones.SmallResNet(width: 4)).AddTask(DenseTasks.Depth())
    .UseArchitecture(Architectures.HardSharing()).WithSeed(0).Build();"""
TRAINING_CELL = """Console.WriteLine("training");
Trainer.Fit(model, train, validation, new TrainingOptions { Epochs = 100000, BatchSize = 4 });   // as the notebooks train: no token passed"""


def check(condition, what, detail=None):
    if not condition:
        print(f"FAILED: {what}" + (f"\n{json.dumps(detail, indent=1, default=str)}" if detail is not None else ""), flush=True)
        sys.exit(1)
    print(f"ok: {what}", flush=True)


def execute(kc, code, timeout=TIMEOUT, on_sent=None):
    """Runs code; returns (reply content, iopub messages of the request until idle)."""
    msg_id = kc.execute(code, allow_stdin=False)
    if on_sent:
        on_sent()
    messages = []
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    return shell_reply(kc, msg_id), messages


def shell_reply(kc, msg_id):
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
    return reply["content"]


def of_type(messages, msg_type):
    return [m["content"] for m in messages if m["msg_type"] == msg_type]


def start_training(kc):
    """Runs TRAINING_CELL (MODEL_CELL has run); returns its msg_id two seconds into the training."""
    msg_id = kc.execute(TRAINING_CELL)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream" and "training" in msg["content"]["text"]:
            time.sleep(2)
            return msg_id
    check(False, "the training cell starts")


def start(name):
    km = KernelManager(kernel_name=name)
    clock = time.monotonic()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=TIMEOUT)
    return km, kc, time.monotonic() - clock


def main(name):
    km, kc, started = start(name)
    print(f"kernel ready in {started:.1f} s", flush=True)
    try:
        info = kc.kernel_info(reply=True, timeout=TIMEOUT)["content"]
        check(info["status"] == "ok" and info["protocol_version"] == "5.3" and info["language_info"]["name"] == "C#", "kernel_info", info)
        # A mode CodeMirror has (Jupyter asks the server for a mode file named after an unknown one and logs a 404).
        check(info["language_info"]["codemirror_mode"] == "text/x-csharp" and info["language_info"]["mimetype"] == "text/x-csharp",
              "kernel_info names CodeMirror's C# mode", info["language_info"])

        reply, msgs = execute(kc, 'var x = 1;\nConsole.WriteLine("hello from C#");')
        states = [c["execution_state"] for c in of_type(msgs, "status")]
        check(reply["status"] == "ok" and states == ["busy", "idle"], "execute: status busy then idle", states)
        check(of_type(msgs, "execute_input")[0]["code"].endswith("Console.WriteLine(\"hello from C#\");"), "execute_input")
        check("".join(c["text"] for c in of_type(msgs, "stream") if c["name"] == "stdout") == "hello from C#\n", "stream", msgs)

        # 50 MB of prints: sent in gathered chunks (every message arrives), the first 4 MB shown, then one note of what was not kept.
        clock = time.monotonic()
        reply, msgs = execute(kc, "var line = new string('x', 99);\nfor (int i = 0; i < 500_000; i++) Console.WriteLine(line);")
        streams = of_type(msgs, "stream")
        shown = "".join(c["text"] for c in streams if c["name"] == "stdout")
        notes = [c["text"] for c in streams if c["name"] == "stderr" and "output truncated" in c["text"]]
        check(reply["status"] == "ok" and len(shown) == 4 * 1024 * 1024 and shown == ("x" * 99 + "\n") * (len(shown) // 100) + "x" * (len(shown) % 100)
              and len(notes) == 1, f"50 MB of prints: 4 MB shown in {len(streams)} messages, one note ({time.monotonic() - clock:.1f} s)",
              {"chars": len(shown), "messages": len(streams), "notes": notes})

        reply, msgs = execute(kc, "var h = display(HTML(\"<b>one</b>\"));\nh.Update(HTML(\"<b>two</b>\"));\n6 * 7")
        displays = of_type(msgs, "display_data")
        updates = of_type(msgs, "update_display_data")
        results = of_type(msgs, "execute_result")
        check(displays and displays[0]["data"]["text/html"] == "<b>one</b>", "display_data", msgs)
        check(updates and updates[0]["transient"]["display_id"] == displays[0]["transient"]["display_id"], "update_display_data", msgs)
        check(results and results[0]["data"]["text/plain"] == "42", "execute_result", results)

        reply, msgs = execute(kc, "var x = 1;\nvar y = undefinedName + 1;")
        errors = of_type(msgs, "error")
        check(reply["status"] == "error" and "line 2, column 9: error CS0103" in reply["evalue"], "compile error names line and column", reply)
        check(errors and errors[0]["ename"] == "CompilationError", "error on iopub", errors)

        reply, msgs = execute(kc, 'throw new InvalidOperationException("boom");')
        check(reply["status"] == "error" and reply["ename"] == "InvalidOperationException" and reply["evalue"] == "boom", "exception reply", reply)
        check(not any("Microsoft.CodeAnalysis" in line for line in reply["traceback"]), "traceback without Roslyn plumbing", reply["traceback"])
        reply, _ = execute(kc, "x")
        check(reply["status"] == "ok", "session usable after a failing cell", reply)

        complete = kc.complete("Console.Wri", 11, reply=True, timeout=TIMEOUT)["content"]
        check("WriteLine" in complete["matches"] and complete["cursor_start"] == 8 and complete["cursor_end"] == 11, "complete Console.Wri", complete)
        complete = kc.complete("h.Upd", 5, reply=True, timeout=TIMEOUT)["content"]
        check("Update" in complete["matches"], "completion sees earlier cells' variables", complete)

        inspect = kc.inspect("Console.WriteLine", 12, reply=True, timeout=TIMEOUT)["content"]
        check(inspect["found"] and "WriteLine" in inspect["data"]["text/plain"], "inspect Console.WriteLine", inspect)

        for code, status in (("for (var i = 0; i < 3; i++) {", "incomplete"), ("var z = 3;", "complete")):
            reply = shell_reply(kc, kc.is_complete(code))
            check(reply["status"] == status, f"is_complete: {status}", reply)

        msg_id = kc.execute('var line = Console.ReadLine(); line.ToUpperInvariant()', allow_stdin=True)
        request = kc.get_stdin_msg(timeout=TIMEOUT)
        check(request["msg_type"] == "input_request", "Console.ReadLine sends input_request", request)
        kc.input("typed")
        reply = shell_reply(kc, msg_id)
        check(reply["status"] == "ok", "input_reply feeds Console.ReadLine", reply)

        comm = shell_reply(kc, kc.comm_info())
        check(comm["status"] == "ok" and comm["comms"] == {}, "comm_info", comm)

        # A training cell, interrupted while it runs; the next cell works.
        reply, _ = execute(kc, MODEL_CELL)
        check(reply["status"] == "ok", "a model is built", reply)
        # Training shows one live line: a display_data, then update_display_data of the same display, the last one "done".
        reply, msgs = execute(kc, "Trainer.Fit(model, train, validation, new TrainingOptions { Epochs = 2, BatchSize = 4 });")
        lines = [c for c in of_type(msgs, "display_data") if c["data"]["text/plain"].startswith("run: epoch 1/2, step 1/8, loss ")]
        updates = of_type(msgs, "update_display_data")
        check(reply["status"] == "ok" and len(lines) == 1 and updates
              and all(u["transient"]["display_id"] == lines[0]["transient"]["display_id"] for u in updates)
              and updates[-1]["data"]["text/plain"].startswith("run: epoch 2/2, step 8/8, loss ") and updates[-1]["data"]["text/plain"].endswith(", done"),
              f"a training cell's progress line is updated in place ({len(updates)} updates)", msgs)
        clock = time.monotonic()
        msg_id = start_training(kc)
        km.interrupt_kernel()
        reply = shell_reply(kc, msg_id)
        check(reply["status"] == "error" and reply["ename"] == "OperationCanceledException", f"interrupt stops a training cell ({time.monotonic() - clock:.1f} s)", reply)
        reply, msgs = execute(kc, 'Console.Write("after"); Trainer.Evaluate(model, validation, 4).Get("depth") > 0')
        check(reply["status"] == "ok" and of_type(msgs, "execute_result")[0]["data"]["text/plain"] == "True", "a cell after the interrupt works", msgs)

        # A malformed and a wrongly signed message are dropped; the kernel keeps answering.
        sock = kc.shell_channel.socket
        sock.send_multipart([b"<IDS|MSG>", b"deadbeef", b"{}", b"{}", b"{}", b"{}"])
        sock.send_multipart([b"garbage"])
        bad = kc.session.msg("kernel_info_request")
        frames = kc.session.serialize(bad)
        frames[frames.index(b"<IDS|MSG>") + 1] = b"0" * 64
        sock.send_multipart(frames)
        info = kc.kernel_info(reply=True, timeout=TIMEOUT)["content"]
        check(info["status"] == "ok" and km.is_alive(), "bad messages rejected, kernel alive", info)

        # An endless loop ignores the interrupt; a restart brings a fresh, working kernel.
        msg_id = kc.execute("while (true) { }")
        time.sleep(3)
        km.interrupt_kernel()
        reply = shell_reply(kc, msg_id)
        check(reply["status"] == "error" and "did not stop" in " ".join(reply["traceback"]), "an endless loop is reported as not stopping", reply)
        clock = time.monotonic()
        km.restart_kernel(now=False)
        kc.wait_for_ready(timeout=TIMEOUT)
        reply, msgs = execute(kc, "1 + 1")
        check(reply["status"] == "ok" and reply["execution_count"] == 1 and of_type(msgs, "execute_result")[0]["data"]["text/plain"] == "2",
              f"restart after an endless loop ({time.monotonic() - clock:.1f} s)", reply)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    print("all checks passed", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
