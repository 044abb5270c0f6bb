"""How the C# kernel's process ends, driven by jupyter_client.

Usage: kernel_lifetime.py KERNEL_NAME parent-death|signals|shutdowns [ROUNDS]   (JUPYTER_PATH must hold the kernelspec).
The rounds of parent-death and shutdowns run in two processes at once (half each): they are independent kernels, and a
kernel's start is mostly one thread's work.
  parent-death: a child Python process starts the kernel (start_new_kernel): idle, training, or in a loop that ignores
                its cancellation; the child is killed with SIGKILL and the kernel must be gone within 5 s, having
                logged why.
  signals:      SIGTERM ends an idle and a training kernel within 2 s with exit code 0; SIGINT interrupts the
                training cell and leaves the kernel serving.
  shutdowns:    ROUNDS rounds over every way a client ends or restarts a kernel (a shutdown request from an idle and
                from a busy kernel, a restart then a shutdown, the client's own shutdown message): each kernel exits
                with code 0 within SHUTDOWN_LIMIT s and its output holds no unhandled exception.
Prints one line per check; exits 1 on the first failure, naming it."""
import os
import select
import signal
import subprocess
import sys
import tempfile
import time

from jupyter_client.manager import KernelManager, start_new_kernel
from kernel_protocol import MODEL_CELL, TIMEOUT, check, execute, shell_reply, start, start_training

PARENT_DEATH_LIMIT = 5.0
SIGTERM_LIMIT = 2.0
SHUTDOWN_LIMIT = 10.0


def gone(pid):
    """No such process, or one that has exited and waits to be reaped (an orphan's reaper may be slow or absent)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError):
        return True


def wait_gone(pid, limit):
    """Seconds until pid is gone; None if it outlives limit."""
    clock = time.monotonic()
    while time.monotonic() - clock < limit:
        if gone(pid):
            return time.monotonic() - clock
        time.sleep(0.05)
    return None


def read_line(stream, limit=TIMEOUT):
    """The child's next report, passing on its own checks ("ok: ...")."""
    deadline = time.monotonic() + limit
    while select.select([stream], [], [], max(0, deadline - time.monotonic()))[0]:
        line = stream.readline().decode().strip()
        if not line.startswith("ok: "):
            return line
        print(f"  child {line}", flush=True)
    return ""


def client(name, state, log):
    """The child: starts the kernel (its output to log), puts it in state, reports, then waits to be killed."""
    with open(log, "ab") as output:
        km, kc = start_new_kernel(kernel_name=name, startup_timeout=TIMEOUT, stdout=output, stderr=output)
    print(f"kernel {km.provisioner.process.pid}", flush=True)
    if state == "training":
        reply, _ = execute(kc, MODEL_CELL)
        check(reply["status"] == "ok", "a model is built", reply)
        start_training(kc)
    elif state == "looping":
        kc.execute("while (true) { }")
        time.sleep(2)
    print("ready", flush=True)
    time.sleep(TIMEOUT)


def parent_death(name, idle_rounds=1, first=0, last_part=True):
    """Each kernel must end when its client dies: an idle one idle_rounds times (a race shows only over many), then (in
    the last part) a training one and one stuck in a loop."""
    cases = [("idle", f"an idle kernel (round {k + 1})") for k in range(first, first + idle_rounds)]
    if last_part:
        cases += [("training", "a training kernel"), ("looping", "a kernel stuck in a loop")]
    for state, what in cases:
        with tempfile.NamedTemporaryFile(prefix="mtl-kernel-", suffix=".log") as log:
            child = subprocess.Popen([sys.executable, __file__, name, "client", state, log.name],
                                     stdout=subprocess.PIPE, bufsize=0)   # unbuffered: select() sees every line
            kernel = None
            try:
                first = read_line(child.stdout)
                check(first.startswith("kernel "), f"{what}: the child started a kernel", first)
                kernel = int(first.split()[1])
                line = read_line(child.stdout)
                check(line == "ready", f"{what}: the child is ready", line)
                os.kill(child.pid, signal.SIGKILL)
                child.wait()
                elapsed = wait_gone(kernel, PARENT_DEATH_LIMIT)
                text = open(log.name).read()
                check(elapsed is not None, f"{what} ends when its client is killed", text)
                check(f"shutting down: the kernel's parent process {child.pid} is gone" in text and "stopped" in text
                      and "Unhandled exception" not in text,
                      f"{what}: the kernel logged why it stopped ({elapsed:.2f} s after the kill)", text)
                print("".join(f"  kernel {line}" for line in text.splitlines(keepends=True) if "[mtl kernel" in line), end="", flush=True)
            finally:
                if child.poll() is None:
                    child.kill()
                if kernel and not gone(kernel):
                    os.kill(kernel, signal.SIGKILL)


def sigterm(km, what):
    process = km.provisioner.process
    clock = time.monotonic()
    os.kill(process.pid, signal.SIGTERM)
    try:
        code = process.wait(timeout=SIGTERM_LIMIT)
    except subprocess.TimeoutExpired:
        process.kill()
        check(False, f"SIGTERM ends {what} within {SIGTERM_LIMIT} s")
    check(code == 0, f"SIGTERM ends {what} with exit code 0 ({time.monotonic() - clock:.2f} s)", code)


def signals(name):
    for busy in (False, True):
        km, kc, _ = start(name)
        try:
            if busy:
                reply, _ = execute(kc, MODEL_CELL)
                check(reply["status"] == "ok", "a model is built", reply)
                msg_id = start_training(kc)
                os.kill(km.provisioner.process.pid, signal.SIGINT)
                reply = shell_reply(kc, msg_id)
                check(reply["status"] == "error" and reply["ename"] == "OperationCanceledException", "SIGINT interrupts the training cell", reply)
                info = kc.kernel_info(reply=True, timeout=TIMEOUT)["content"]
                check(info["status"] == "ok" and km.is_alive(), "the kernel serves on after SIGINT", info)
                start_training(kc)
            sigterm(km, "a training kernel" if busy else "an idle kernel")
        finally:
            kc.stop_channels()
            if km.is_alive():
                km.shutdown_kernel(now=True)
            km.cleanup_resources()


def ended_cleanly(process, log, what, elapsed=None):
    """The kernel process exited with code 0, within SHUTDOWN_LIMIT s of the request when timed, and printed no
    unhandled exception."""
    try:
        code = process.wait(timeout=SHUTDOWN_LIMIT)
    except subprocess.TimeoutExpired:
        process.kill()
        code = None
    if elapsed is not None:
        check(elapsed < SHUTDOWN_LIMIT, f"{what}: the kernel answered the request in {elapsed:.2f} s, "
              f"not after jupyter_client's SIGTERM at {SHUTDOWN_LIMIT} s")
    log.flush()
    text = open(log.name).read()
    check(code == 0 and "Unhandled exception" not in text and "TerminatingException" not in text,
          f"{what}: the kernel exited with code {code}, no unhandled exception", text)


def shutdowns(name, rounds, first=0):
    """Every round takes the next way of ending a kernel; a process is checked on each exit, restarts included."""
    ways = ["shutdown request, idle", "shutdown request, busy", "restart, then shutdown request", "the client's shutdown message"]
    for k in range(first, first + rounds):
        way = ways[k % len(ways)]
        what = f"round {k + 1} ({way})"
        with tempfile.NamedTemporaryFile(prefix="mtl-kernel-", suffix=".log") as log:
            km = KernelManager(kernel_name=name)
            # jupyter_client sends SIGTERM after half this wait, and the kernel exits 0 on SIGTERM: with 2 × the limit, a
            # request the kernel ignored shows as a shutdown slower than the limit, not as a clean one.
            km.shutdown_wait_time = 2 * SHUTDOWN_LIMIT
            km.start_kernel(stdout=log, stderr=log)
            kc = km.client()
            kc.start_channels()
            try:
                kc.wait_for_ready(timeout=TIMEOUT)
                reply, _ = execute(kc, f"var round = {k + 1};")
                check(reply["status"] == "ok", f"{what}: a cell runs", reply)
                if way == "shutdown request, busy":
                    kc.execute("for (var i = 0; i < 2_000_000_000; i++) { System.Threading.Thread.SpinWait(10); }")
                    time.sleep(0.5)
                if way == "restart, then shutdown request":
                    first = km.provisioner.process
                    km.restart_kernel(now=False)
                    ended_cleanly(first, log, f"{what}, the kernel before the restart")
                    kc.wait_for_ready(timeout=TIMEOUT)
                    reply, _ = execute(kc, "var again = 1;")
                    check(reply["status"] == "ok", f"{what}: the restarted kernel runs a cell", reply)
                process = km.provisioner.process
                clock = time.monotonic()
                if way == "the client's shutdown message":
                    kc.shutdown()
                    try:
                        process.wait(timeout=SHUTDOWN_LIMIT)
                    except subprocess.TimeoutExpired:
                        pass
                else:
                    km.shutdown_kernel(now=False)
                ended_cleanly(process, log, what, time.monotonic() - clock)
            finally:
                kc.stop_channels()
                if km.has_kernel and km.is_alive():
                    km.shutdown_kernel(now=True)
                km.cleanup_resources()


def in_two_parts(name, mode, rounds):
    """Rounds 1..h in one process and h+1..rounds in another, at once; the output of each part follows as it ends."""
    half = (rounds + 1) // 2
    parts = [(0, half, "0"), (half, rounds - half, "1")]
    children = [subprocess.Popen([sys.executable, __file__, name, mode, str(count), "--part", str(first), last],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                for first, count, last in parts if count > 0]
    failed = False
    for child in children:
        output, _ = child.communicate()
        print(output, end="", flush=True)
        failed |= child.returncode != 0
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    # A shell starts background jobs with SIGINT ignored, and an ignored signal stays ignored across exec: the kernel would
    # inherit that and .NET keeps it, so SIGINT could not interrupt. Jupyter's server handles SIGINT, so its kernels
    # start with the default disposition; so do the kernels started here.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if sys.argv[2] == "client":
        client(sys.argv[1], sys.argv[3], sys.argv[4])
    else:
        rounds = int(sys.argv[3]) if len(sys.argv) > 3 else {"parent-death": 1, "shutdowns": 4}.get(sys.argv[2], 1)
        part = sys.argv.index("--part") if "--part" in sys.argv else None
        if part is None and sys.argv[2] in ("parent-death", "shutdowns") and rounds > 1:
            in_two_parts(sys.argv[1], sys.argv[2], rounds)
        elif sys.argv[2] == "parent-death":
            first, last = (int(sys.argv[part + 1]), sys.argv[part + 2] == "1") if part else (0, True)
            parent_death(sys.argv[1], rounds, first, last)
        elif sys.argv[2] == "shutdowns":
            shutdowns(sys.argv[1], rounds, int(sys.argv[part + 1]) if part else 0)
        else:
            signals(sys.argv[1])
        print("all checks passed", flush=True)
