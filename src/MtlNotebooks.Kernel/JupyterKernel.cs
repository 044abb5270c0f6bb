using System.Text;
using System.Text.Json.Nodes;
using MtlNotebooks.Scripting;
using NetMQ;
using NetMQ.Sockets;

namespace MtlNotebooks.Kernel;

/// <summary>A Jupyter kernel (messaging protocol 5.3) for C#: shell and control (router sockets), iopub (publisher),
/// stdin (router) and heartbeat (reply) over ZeroMQ with NetMQ, every message signed with HMAC-SHA256. Each receiving
/// socket has a thread of its own; every send goes through one lock (iopub is shared by all threads). Shell requests are handled one at a time (an
/// execute_request holds the shell until the cell ends), control requests (interrupt, shutdown) meanwhile.
/// A malformed or wrongly signed message is logged and dropped. The kernel ends on a shutdown_request or on
/// <see cref="Shutdown"/> (SIGTERM, the client's process gone): every thread that uses a socket has stopped, or finds
/// the kernel closed, before the sockets are disposed, since a NetMQ socket is used by one thread at a time.</summary>
public sealed class JupyterKernel : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    private readonly ConnectionInfo _connection;
    private readonly MessageSigner _signer;
    private readonly KernelLog _log;
    private readonly RouterSocket _shell = new(), _control = new(), _stdin = new();
    private readonly PublisherSocket _iopub = new();
    private readonly ResponseSocket _heartbeat = new();
    private readonly Lock _sendGate = new();
    /// <summary>Never disposed: a signal or the parent watch may still call <see cref="Stop"/> while the kernel closes.</summary>
    private readonly ManualResetEventSlim _stopped = new();
    private volatile bool _closed;
    private readonly ShellRequests _requests;

    /// <summary>The session id of every message the kernel sends.</summary>
    internal string Session { get; } = Guid.NewGuid().ToString("N");

    internal KernelLog Log => _log;

    /// <summary>Whether the last shutdown_request asked for a restart (the client starts the new process).</summary>
    public bool RestartRequested { get; private set; }

    public JupyterKernel(ConnectionInfo connection, string baseDirectory, IReadOnlyDictionary<string, string> parameters, KernelLog log)
    {
        _connection = connection;
        _signer = new MessageSigner(connection.Key);
        _log = log;
        foreach (var socket in new NetMQSocket[] { _shell, _control, _stdin, _iopub, _heartbeat })
            socket.Options.Linger = TimeSpan.FromSeconds(1);
        Bind(_shell, "shell", connection.ShellPort);
        Bind(_control, "control", connection.ControlPort);
        Bind(_stdin, "stdin", connection.StdinPort);
        Bind(_iopub, "iopub", connection.IopubPort);
        Bind(_heartbeat, "heartbeat", connection.HeartbeatPort);
        _requests = new ShellRequests(this, new KernelSession(baseDirectory, parameters, log));
    }

    /// <summary>Binds one channel; NetMQ names neither port nor address when that fails, so the message does.</summary>
    private void Bind(NetMQSocket socket, string channel, int port)
    {
        try
        {
            socket.Bind(_connection.Endpoint(port));
        }
        catch (NetMQException ex)
        {
            foreach (var open in new NetMQSocket[] { _shell, _control, _stdin, _iopub, _heartbeat }) open.Dispose();
            throw new IOException(ex is AddressAlreadyInUseException
                ? $"The {channel} port {port} on {_connection.Ip} is already in use by another program. Jupyter picks free ports when it " +
                  "writes the connection file: start the kernel from Jupyter, or free the port."
                : $"Cannot listen on {_connection.Transport}://{_connection.Ip}:{port} ({channel}): {ex.ErrorCode} — is {_connection.Ip} an address of this machine?", ex);
        }
    }

    /// <summary>Serves until a shutdown_request or <see cref="Shutdown"/>; returns then.</summary>
    public void Run()
    {
        var threads = new[]
        {
            Loop("shell", _shell, m => _requests.HandleShell(m)),
            Loop("control", _control, m => _requests.HandleControl(m)),
            new Thread(Heartbeat) { IsBackground = true, Name = "heartbeat" },
        };
        foreach (var thread in threads) thread.Start();
        _log.Write($"listening on {_connection.Ip} (shell {_connection.ShellPort}, iopub {_connection.IopubPort}, control {_connection.ControlPort})");
        Publish("status", new JsonObject { ["execution_state"] = "starting" }, null);
        _stopped.Wait();
        // Each loop polls every 200 ms. The shell thread may be inside a cell that ignores its interrupt; after a
        // second it is left to find the kernel closed (Reply and Publish then send nothing).
        threads[1].Join(TimeSpan.FromSeconds(1));
        threads[2].Join(TimeSpan.FromSeconds(1));
        threads[0].Join(TimeSpan.FromSeconds(1));
    }

    /// <summary>Ends <see cref="Run"/> without a client's request (SIGTERM, the client's process gone): logs why,
    /// cancels the running cell (it has a second to stop) and stops serving.</summary>
    public void Shutdown(string reason)
    {
        if (Stopping) return;
        _log.Write($"shutting down: {reason}");
        _requests.Interrupt("shutdown");
        Stop(restart: false);
    }

    /// <summary>Ends <see cref="Run"/> after the reply to a shutdown_request has been sent.</summary>
    internal void Stop(bool restart)
    {
        RestartRequested = restart;
        _stopped.Set();
    }

    internal bool Stopping => _stopped.IsSet;

    /// <summary>SIGINT: what an interrupt_request does.</summary>
    public void InterruptFromSignal() => _requests.Interrupt("SIGINT");

    /// <summary>Sends a reply on the socket the request came in on (called on that socket's thread).</summary>
    internal void Reply(NetMQSocket socket, JupyterMessage request, string type, JsonObject content) =>
        Send(socket, WireFormat.Serialize(JupyterMessage.Create(type, content, Session, request), _signer));

    /// <summary>Publishes on iopub, from any thread.</summary>
    internal void Publish(string type, JsonObject content, JupyterMessage? parent)
    {
        var frames = WireFormat.Serialize(JupyterMessage.Create(type, content, Session, parent), _signer, Encoding.UTF8.GetBytes($"kernel.{Session}.{type}"));
        Send(_iopub, frames);
    }

    /// <summary>Sends unless the kernel is closed: a cell that outlived the shutdown may still print or reply.</summary>
    private void Send(NetMQSocket socket, List<byte[]> frames)
    {
        lock (_sendGate)
            if (!_closed) socket.SendMultipartBytes(frames);
    }

    internal NetMQSocket ShellSocket => _shell;

    internal NetMQSocket ControlSocket => _control;

    /// <summary>Asks the client for a line on stdin (input_request) for the cell of <paramref name="parent"/>; null when
    /// the client sends none within the cell's life.</summary>
    internal string? ReadInput(JupyterMessage parent, string prompt, bool password, CancellationToken cancellationToken)
    {
        lock (_stdin)
        {
            if (_closed) return null;
            _stdin.SendMultipartBytes(WireFormat.Serialize(JupyterMessage.Create("input_request",
                new JsonObject { ["prompt"] = prompt, ["password"] = password }, Session, parent), _signer));
            var frames = new List<byte[]>();
            while (!cancellationToken.IsCancellationRequested && !Stopping)
            {
                if (!_stdin.TryReceiveMultipartBytes(Poll, ref frames)) continue;
                if (TryParse(frames, "stdin") is { Type: "input_reply" } reply)
                    return (string?)reply.Content["value"] ?? "";
            }

            return null;
        }
    }

    private Thread Loop(string name, NetMQSocket socket, Action<JupyterMessage> handle) => new(() =>
    {
        var frames = new List<byte[]>();
        while (!Stopping)
        {
            if (!TryReceive(socket, ref frames)) continue;
            if (TryParse(frames, name) is not { } message) continue;
            try
            {
                handle(message);
            }
            catch (Exception ex)
            {
                _log.Write($"{name}: {message.Type} failed: {ex}");
            }
        }
    }) { IsBackground = true, Name = name };

    private JupyterMessage? TryParse(List<byte[]> frames, string channel)
    {
        try
        {
            return WireFormat.Parse(frames, _signer);
        }
        catch (InvalidMessageException ex)
        {
            _log.Write($"{channel}: rejected a message: {ex.Message}");
            return null;
        }
    }

    private void Heartbeat()
    {
        var frames = new List<byte[]>();
        while (!Stopping)
            if (TryReceive(_heartbeat, ref frames))
                Send(_heartbeat, frames);
    }

    /// <summary>A receive that ends quietly (false) once the kernel is closed: an unhandled exception on a loop's thread
    /// (NetMQ's TerminatingException after <see cref="NetMQConfig.Cleanup"/>) would end the process with an error.</summary>
    private bool TryReceive(NetMQSocket socket, ref List<byte[]> frames)
    {
        try
        {
            return socket.TryReceiveMultipartBytes(Poll, ref frames);
        }
        catch (Exception ex) when (ex is TerminatingException or ObjectDisposedException && _closed)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _stopped.Set();
        lock (_stdin)   // ReadInput leaves within a poll once Stopping
        lock (_sendGate)
        {
            _closed = true;
            foreach (var socket in new NetMQSocket[] { _shell, _control, _stdin, _iopub, _heartbeat })
                socket.Dispose();
        }

        NetMQConfig.Cleanup(block: false);
    }
}
