using System.Net;
using System.Text;
using Prometheus;

namespace RobustCrop.Cluster.Observability;

/// <summary>
/// A node's HTTP endpoint for operators: <c>/metrics</c> (Prometheus text from the node's own registry, never the
/// process-wide static one) and, where the node has one, <c>/status</c> (an HTML page). Hand-written on
/// <see cref="HttpListener"/> rather than prometheus-net's MetricServer because that one serves only /metrics, and a
/// Kestrel host would be a web framework for two routes. Bound to 127.0.0.1 unless the node is public.
/// </summary>
public sealed class MetricsServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CollectorRegistry _registry;
    private readonly Func<string>? _statusPage;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="host">"127.0.0.1", or "*" for every interface (a node with --public-host).</param>
    public MetricsServer(string host, int port, CollectorRegistry registry, Func<string>? statusPage = null)
    {
        _registry = registry;
        _statusPage = statusPage;
        _listener.Prefixes.Add($"http://{host}:{port}/");
        try { _listener.Start(); }
        catch (HttpListenerException e) { throw new IOException($"--metrics-port {port}: cannot listen on {host}:{port} ({e.Message})", e); }
        Port = port;
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync().ConfigureAwait(false); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            switch (context.Request.Url?.AbsolutePath)
            {
                case "/metrics":
                    response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                    await _registry.CollectAndExportAsTextAsync(response.OutputStream, _stop.Token).ConfigureAwait(false);
                    break;
                case "/status" or "/" when _statusPage is not null:
                    response.ContentType = "text/html; charset=utf-8";
                    byte[] html = Encoding.UTF8.GetBytes(_statusPage());
                    await response.OutputStream.WriteAsync(html, _stop.Token).ConfigureAwait(false);
                    break;
                default:
                    response.StatusCode = 404;
                    break;
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or OperationCanceledException) { }
        finally
        {
            try { response.Close(); } catch (ObjectDisposedException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Close();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
