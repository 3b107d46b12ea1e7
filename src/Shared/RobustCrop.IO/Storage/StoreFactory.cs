using Azure.Storage.Blobs;

namespace RobustCrop.IO.Storage;

/// <summary>Opens the store named by an --out (or run) URI: a local folder, file://, or az://container/prefix.</summary>
public static class StoreFactory
{
    /// <summary>Where the connection string of az:// stores comes from when no --connection-string is given.</summary>
    public const string ConnectionStringVariable = "AZURE_STORAGE_CONNECTION_STRING";

    public const string AzureScheme = "az://";

    public static bool IsAzure(string uri) => uri.StartsWith(AzureScheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>Opens the store without touching the network. <paramref name="connectionString"/> (or, when null, the
    /// <see cref="ConnectionStringVariable"/> environment variable) is used by az:// URIs only.</summary>
    /// <exception cref="ArgumentException">A malformed URI, or a missing or unparsable connection string (one line, no secret).</exception>
    /// <exception cref="NotSupportedException">Another scheme.</exception>
    /// <param name="environment">Reads environment variables (the process environment when null); injected so the
    /// "no connection string anywhere" case can be tested whatever the test machine has set.</param>
    public static IResultStore Open(string uri, string? connectionString, AzureBlobStoreOptions? options = null, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        if (!IsAzure(uri))
        {
            if (uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
                return new LocalFolderStore(new Uri(uri).LocalPath);
            int scheme = uri.IndexOf("://", StringComparison.Ordinal);
            if (scheme > 0)
                throw new NotSupportedException($"Output scheme '{uri[..scheme]}://' is not supported; use a local path, file:// or az://container/prefix.");
            return new LocalFolderStore(uri);
        }
        var (container, prefix) = ParseAzure(uri);
        options ??= AzureBlobStoreOptions.Default;
        var service = Service(uri, connectionString, options, environment);
        return new AzureBlobStore(service.GetBlobContainerClient(container), prefix, options);
    }

    /// <summary>Where an account's URL comes from when credentials other than a connection string are used.</summary>
    public const string AccountUrlVariable = "AZURE_STORAGE_ACCOUNT_URL";

    /// <summary>A SAS token (with <see cref="AccountUrlVariable"/>); a SAS can also be given as a connection string
    /// (<c>BlobEndpoint=…;SharedAccessSignature=…</c>).</summary>
    public const string SasTokenVariable = "AZURE_STORAGE_SAS_TOKEN";

    /// <summary>
    /// The blob service for an az:// URI, from the first credential found: <paramref name="connectionString"/>, the
    /// <see cref="ConnectionStringVariable"/> variable (an account key or a SAS connection string), a SAS token
    /// (<see cref="SasTokenVariable"/>) for <see cref="AccountUrlVariable"/>, or else <c>DefaultAzureCredential</c> (managed
    /// or workload identity in Kubernetes, environment, Azure CLI) for <see cref="AccountUrlVariable"/>. No credential
    /// is ever put in a message.
    /// </summary>
    /// <exception cref="ArgumentException">No credential source, or one that does not parse (one line, no secret).</exception>
    public static BlobServiceClient Service(string uri, string? connectionString, AzureBlobStoreOptions? options = null,
        Func<string, string?>? environment = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariable;
        var clientOptions = AzureBlobStore.ClientOptions(options ?? AzureBlobStoreOptions.Default);
        string? cs = string.IsNullOrWhiteSpace(connectionString) ? env(ConnectionStringVariable) : connectionString;
        if (!string.IsNullOrWhiteSpace(cs))
        {
            try
            {
                return new BlobServiceClient(cs.Trim(), clientOptions);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or UriFormatException)
            {
                // The parser's messages can quote parts of the string; say only which kind of problem it is.
                throw new ArgumentException($"the storage connection string for {uri} is not valid ({e.GetType().Name}); it is not shown here");
            }
        }
        string? accountUrl = env(AccountUrlVariable);
        if (string.IsNullOrWhiteSpace(accountUrl))
            throw new ArgumentException($"{uri} needs a storage connection string: set {ConnectionStringVariable} or pass --connection-string "
                + $"(or set {AccountUrlVariable}, with {SasTokenVariable} for a SAS token, or for a managed identity alone)");
        if (!Uri.TryCreate(accountUrl.Trim(), UriKind.Absolute, out var account) || account.Scheme is not ("https" or "http"))
            throw new ArgumentException($"{AccountUrlVariable} is not an http(s) URL");
        string? sas = env(SasTokenVariable);
        if (!string.IsNullOrWhiteSpace(sas))
            return new BlobServiceClient(account, new Azure.AzureSasCredential(sas.Trim().TrimStart('?')), clientOptions);
        return new BlobServiceClient(account, new Azure.Identity.DefaultAzureCredential(), clientOptions);
    }

    /// <summary><see cref="Open"/>, then a probe: for az:// of the container (created when missing) with a short timeout,
    /// so a wrong key or unreachable storage fails at start with one line; for a local folder that it is a writable
    /// folder with room (<see cref="LocalFolderStore.ProbeAsync"/>), so a bad --out is found before the first shard.</summary>
    public static async Task<IResultStore> OpenAsync(string uri, string? connectionString, CancellationToken ct, AzureBlobStoreOptions? options = null)
    {
        var store = Open(uri, connectionString, options);
        if (store is AzureBlobStore azure) await azure.ProbeAsync(ct).ConfigureAwait(false);
        else if (store is LocalFolderStore local) await local.ProbeAsync(ct).ConfigureAwait(false);
        return store;
    }

    /// <summary>Splits az://container/prefix; the container name follows Azure's rules (3–63 of a–z, 0–9, '-', no "--",
    /// starting and ending with a letter or digit), the prefix the store-path rules.</summary>
    public static (string Container, string Prefix) ParseAzure(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!IsAzure(uri)) throw new ArgumentException($"'{uri}' is not an az:// URI");
        string rest = uri[AzureScheme.Length..].TrimEnd('/');
        int slash = rest.IndexOf('/');
        string container = slash < 0 ? rest : rest[..slash];
        string prefix = slash < 0 ? "" : rest[(slash + 1)..];
        if (!IsValidContainer(container))
            throw new ArgumentException($"'{uri}': '{container}' is not a valid container name (3-63 lowercase letters, digits and single hyphens)");
        if (prefix.Length > 0)
        {
            try { StorePath.Validate(prefix); }
            catch (ArgumentException) { throw new ArgumentException($"'{uri}': the prefix '{prefix}' has an empty, '.' or '..' segment or a backslash"); }
        }
        return (container, prefix);
    }

    /// <summary>Splits a run URI (&lt;out&gt;/&lt;run-id&gt;, local or az://) into the store location and the run id.</summary>
    public static (string Out, string RunId) SplitRun(string runUri)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runUri);
        string trimmed = runUri.TrimEnd('/', Path.DirectorySeparatorChar);
        if (IsAzure(trimmed))
        {
            var (container, prefix) = ParseAzure(trimmed);
            if (prefix.Length == 0) throw new ArgumentException($"'{runUri}' names a container, not a run: use az://container/[prefix/]run-id");
            int cut = prefix.LastIndexOf('/');
            return (cut < 0 ? $"{AzureScheme}{container}" : $"{AzureScheme}{container}/{prefix[..cut]}", cut < 0 ? prefix : prefix[(cut + 1)..]);
        }
        string full = trimmed.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(trimmed).LocalPath : trimmed;
        string runId = Path.GetFileName(full);
        string parent = Path.GetDirectoryName(Path.GetFullPath(full)) ?? throw new ArgumentException($"'{runUri}' names no run folder");
        return (parent, runId);
    }

    private static bool IsValidContainer(string name)
    {
        if (name.Length is < 3 or > 63) return false;
        if (!char.IsAsciiLetterLower(name[0]) && !char.IsAsciiDigit(name[0])) return false;
        if (!char.IsAsciiLetterLower(name[^1]) && !char.IsAsciiDigit(name[^1])) return false;
        if (name.Contains("--", StringComparison.Ordinal)) return false;
        foreach (char c in name)
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '-') return false;
        return true;
    }
}
