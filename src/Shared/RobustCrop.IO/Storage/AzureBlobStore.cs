using System.Runtime.CompilerServices;
using Azure;
using Azure.Core;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace RobustCrop.IO.Storage;

/// <summary>Retry and timeout settings of <see cref="AzureBlobStore"/>. Transient failures (connection refused or reset,
/// 408/429/5xx) are retried by the SDK with exponential backoff; when the tries run out the operation fails, so the
/// shard being written fails and, its manifest never written, is re-run later.</summary>
public sealed record AzureBlobStoreOptions
{
    /// <summary>Retries after the first try of each request.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>First backoff delay; it doubles per retry (with jitter) up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Limit of one try of one request.</summary>
    public TimeSpan NetworkTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Limit of the start-up probe (create the container if it does not exist), retries included.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Files up to this size go up in one Put Blob call; larger ones as staged blocks committed at the end.
    /// Either way a blob is visible only once complete.</summary>
    public long SingleUploadLimit { get; init; } = 64L << 20;

    /// <summary>Block size of staged uploads.</summary>
    public int BlockSize { get; init; } = 8 << 20;

    /// <summary>Called at each retry of a request (a worker's storage-retries counter); from SDK threads, so thread-safe.</summary>
    public Action? OnRetry { get; init; }

    public static AzureBlobStoreOptions Default { get; } = new();
}

/// <summary>Reports every retried attempt of a request (the SDK's per-retry position sees each attempt, numbered).</summary>
internal sealed class RetryCountingPolicy(Action onRetry) : Azure.Core.Pipeline.HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(Azure.Core.HttpMessage message)
    {
        if (message.ProcessingContext.RetryNumber > 0) onRetry();
    }
}

/// <summary>
/// An <see cref="IResultStore"/> on an Azure Blob Storage container (or the Azurite emulator): relative paths become blob
/// names under an optional prefix. A file is buffered whole and committed in one step (one Put Blob, or staged blocks and
/// one Put Block List), so a reader never sees a partial blob, a writer that throws leaves nothing, and a retried shard
/// overwrites its fixed names.
/// </summary>
public sealed class AzureBlobStore : IResultStore, IListsSizes
{
    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly AzureBlobStoreOptions _options;

    /// <param name="prefix">Blob-name prefix ("" or "a/b", without a trailing slash).</param>
    public AzureBlobStore(BlobContainerClient container, string prefix, AzureBlobStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > 0) StorePath.Validate(prefix);
        _container = container;
        _prefix = prefix.Length == 0 ? "" : prefix + "/";
        _options = options ?? AzureBlobStoreOptions.Default;
    }

    /// <summary>Client options with the retry policy of <paramref name="options"/>.</summary>
    public static BlobClientOptions ClientOptions(AzureBlobStoreOptions options)
    {
        var o = new BlobClientOptions();
        o.Retry.Mode = RetryMode.Exponential;
        o.Retry.MaxRetries = options.MaxRetries;
        o.Retry.Delay = options.Delay;
        o.Retry.MaxDelay = options.MaxDelay;
        o.Retry.NetworkTimeout = options.NetworkTimeout;
        // Never log request or response content; headers the SDK logs are already redacted.
        o.Diagnostics.IsLoggingContentEnabled = false;
        o.Diagnostics.IsTelemetryEnabled = false;
        if (options.OnRetry is { } onRetry) o.AddPolicy(new RetryCountingPolicy(onRetry), Azure.Core.HttpPipelinePosition.PerRetry);
        return o;
    }

    public string ContainerName => _container.Name;

    /// <summary>The blob-name prefix, "" or ending in '/'.</summary>
    public string Prefix => _prefix;

    /// <summary>Reaches the container, creating it when missing, within <see cref="AzureBlobStoreOptions.ProbeTimeout"/>.
    /// A wrong key, a missing permission or unreachable storage fails here, before any work starts.</summary>
    /// <exception cref="StorageUnavailableException">One line, without secrets.</exception>
    public async Task ProbeAsync(CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(_options.ProbeTimeout);
        try
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StorageUnavailableException($"{Describe()} did not answer within {_options.ProbeTimeout.TotalSeconds:0.#} s");
        }
        catch (RequestFailedException e)
        {
            throw new StorageUnavailableException($"{Describe()} cannot be used: {StorageErrors.Describe(e)}", e);
        }
        catch (AggregateException e) when (StorageErrors.Exhausted(e) is { } last)
        {
            throw new StorageUnavailableException($"{Describe()} cannot be reached: {StorageErrors.Describe(last)}", e);
        }
    }

    public async Task WriteAsync(string relativePath, Func<Stream, Task> writer, CancellationToken cancellationToken = default)
        => await UploadAsync(relativePath, writer, null, cancellationToken).ConfigureAwait(false);

    /// <summary>Uploaded with <c>If-None-Match: *</c>: the service commits it only where no blob exists, atomically, and
    /// answers 409 or 412 to the loser.</summary>
    public async Task<bool> CreateAsync(string relativePath, Func<Stream, Task> writer, CancellationToken cancellationToken = default)
    {
        try
        {
            await UploadAsync(relativePath, writer, new BlobRequestConditions { IfNoneMatch = ETag.All }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
    }

    private async Task UploadAsync(string relativePath, Func<Stream, Task> writer, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var blob = _container.GetBlobClient(BlobName(relativePath));
        // The writer's output is held until it returns: nothing reaches storage from a writer that throws.
        using var buffer = new MemoryStream();
        await writer(buffer).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        buffer.Position = 0;
        var upload = new BlobUploadOptions
        {
            Conditions = conditions,
            TransferOptions = new StorageTransferOptions
            {
                InitialTransferSize = _options.SingleUploadLimit,
                MaximumTransferSize = _options.BlockSize,
                MaximumConcurrency = 4,
            },
        };
        // Without conditions the upload overwrites: a retried shard replaces its files. Blocks staged by a failed
        // upload stay uncommitted (invisible) and are garbage-collected by the service.
        await Guard(() => blob.UploadAsync(buffer, upload, cancellationToken), relativePath, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ExistsAsync(string relativePath, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(BlobName(relativePath));
        return (await Guard(() => blob.ExistsAsync(cancellationToken), relativePath, cancellationToken).ConfigureAwait(false)).Value;
    }

    public async Task<Stream> OpenReadAsync(string relativePath, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(BlobName(relativePath));
        // Downloaded whole (with the SDK's retries) so readers get a seekable stream that no outage can cut short.
        var copy = new MemoryStream();
        try
        {
            await Guard(() => blob.DownloadToAsync(copy, cancellationToken), relativePath, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            await copy.DisposeAsync().ConfigureAwait(false);
            throw new FileNotFoundException($"No file '{relativePath}' in {Describe()}.", relativePath);
        }
        copy.Position = 0;
        return copy;
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var file in await ListEntriesAsync(prefix, cancellationToken).ConfigureAwait(false))
            yield return file.Path;
    }

    public async IAsyncEnumerable<StoredFile> ListWithSizesAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var file in await ListEntriesAsync(prefix, cancellationToken).ConfigureAwait(false))
            yield return file;
    }

    private async Task<List<StoredFile>> ListEntriesAsync(string prefix, CancellationToken cancellationToken)
    {
        StorePath.ValidatePrefix(prefix);
        var options = new GetBlobsOptions { Prefix = _prefix + prefix };
        var found = new List<StoredFile>();
        try
        {
            await foreach (var item in _container.GetBlobsAsync(options, cancellationToken).ConfigureAwait(false))
                found.Add(new StoredFile(item.Name[_prefix.Length..], item.Properties.ContentLength ?? -1));
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            return [];
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StorageUnavailableException($"listing '{prefix}' in {Describe()} timed out");
        }
        catch (AggregateException e) when (StorageErrors.Exhausted(e) is { } last)
        {
            throw new StorageUnavailableException($"listing '{prefix}' in {Describe()} failed after {e.InnerExceptions.Count} tries: {StorageErrors.Describe(last)}", e);
        }
        // The service lists in UTF-8 byte order; the contract is ordinal UTF-16 order (the same for the ASCII names used here).
        found.Sort((a, b) => StringComparer.Ordinal.Compare(a.Path, b.Path));
        return found;
    }

    public async Task DeleteAsync(string relativePath, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(BlobName(relativePath));
        await Guard(() => blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken),
            relativePath, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>"az://container/prefix": never the account key or the connection string.</summary>
    public string Describe() => $"az://{_container.Name}/{_prefix.TrimEnd('/')}".TrimEnd('/');

    private string BlobName(string relativePath) => _prefix + StorePath.Validate(relativePath);

    /// <summary>A per-try network timeout surfaces as a cancellation the caller did not ask for; report it as a storage failure
    /// so that it fails the shard with one line instead of looking like Ctrl+C.</summary>
    private async Task<T> Guard<T>(Func<Task<T>> call, string path, CancellationToken ct)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new StorageUnavailableException($"'{path}' in {Describe()}: storage did not answer in time");
        }
        catch (AggregateException e) when (StorageErrors.Exhausted(e) is { } last)
        {
            // The SDK's retry policy gives up with every try's failure; one line says how many and the last reason.
            throw new StorageUnavailableException($"'{path}' in {Describe()} failed after {e.InnerExceptions.Count} tries: {StorageErrors.Describe(last)}", e);
        }
    }
}

/// <summary>Storage could not be reached or used. The message is one line and never holds a secret.</summary>
public sealed class StorageUnavailableException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>One-line descriptions of Azure failures that never hold the connection string or a key.</summary>
public static class StorageErrors
{
    public static string Describe(RequestFailedException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        // The SDK's message is several lines (request id, headers); the first says what happened. Status 0 means no
        // response at all (connection refused, DNS), where the inner exception names the cause.
        string first = FirstLine(e.Message);
        string reason = e.Status == 0 && e.InnerException is { } inner ? FirstLine(inner.Message) : first;
        string status = e.Status == 0 ? "no response" : $"status {e.Status}";
        string code = string.IsNullOrEmpty(e.ErrorCode) ? "" : $" {e.ErrorCode}";
        return Redact($"{status}{code}: {reason}".TrimEnd(' ', ':'));
    }

    /// <summary>Any storage failure as one redacted line: the last try of an exhausted retry, a request failure, or the
    /// first line of another exception's message.</summary>
    public static string Describe(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e switch
        {
            RequestFailedException r => Describe(r),
            AggregateException a when Exhausted(a) is { } last => $"after {a.InnerExceptions.Count} tries: {Describe(last)}",
            AggregateException { InnerException: { } inner } => Describe(inner),
            _ => Redact(FirstLine(e.Message)),
        };
    }

    /// <summary>The last failure of a retry policy that gave up (an AggregateException of RequestFailedExceptions), or null.</summary>
    public static RequestFailedException? Exhausted(AggregateException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.InnerExceptions.Count > 0 && e.InnerExceptions.All(x => x is RequestFailedException)
            ? (RequestFailedException)e.InnerExceptions[^1]
            : null;
    }

    /// <summary>Removes any "AccountKey=…", "SharedAccessSignature=…" or "sig=…" value from a text.</summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return System.Text.RegularExpressions.Regex.Replace(text,
            "(AccountKey|SharedAccessSignature|sig)=[^;&\\s]*", "$1=***", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
    }

    private static string FirstLine(string s)
    {
        int nl = s.IndexOfAny(['\r', '\n']);
        return (nl < 0 ? s : s[..nl]).Trim();
    }
}
