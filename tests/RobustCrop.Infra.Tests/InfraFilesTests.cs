using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace RobustCrop.Infra.Tests;

/// <summary>
/// The deployment files under <c>infra/</c> cannot be run in CI (no Docker engine, no cluster), so their syntax
/// and the properties the cluster depends on are checked here.
/// </summary>
[Trait("Category", "Infra")]
public sealed class InfraFilesTests
{
    private static readonly string Root = RepoPaths.Root;
    private static readonly string InfraDir = Path.Combine(Root, "infra");

    [Fact]
    public void Every_yaml_file_under_infra_parses()
    {
        var files = YamlFiles().ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var docs = LoadDocuments(file);
            Assert.True(docs.Count > 0, $"{Rel(file)} holds no YAML document");
            Assert.All(docs, d => Assert.IsType<YamlMappingNode>(d.RootNode));
        }
    }

    [Fact]
    public void Multi_document_yaml_yields_every_document()
    {
        var docs = Load("a: 1\n---\nb: 2\n---\n# only a comment\n");
        Assert.Equal(2, docs.Count);
        Assert.Equal("2", Scalar(Mapping(docs[1]), "b"));
    }

    [Fact]
    public void Compose_has_azurite_coordinator_and_workers()
    {
        var services = ComposeServices();
        Assert.True(services.ContainsKey("azurite"), "compose has no azurite service");
        Assert.True(services.ContainsKey("coordinator"), "compose has no coordinator service");
        var workers = services.Keys.Where(k => k.StartsWith("worker", StringComparison.Ordinal)).ToList();
        Assert.True(workers.Count >= 2, "compose needs two worker services");

        var azuriteCommand = string.Join(' ', Sequence(services["azurite"], "command"));
        Assert.Contains("azurite-blob", azuriteCommand);
        Assert.Contains("--blobHost 0.0.0.0", azuriteCommand);

        var coordinator = string.Join(' ', Sequence(services["coordinator"], "command"));
        Assert.Contains("--listen 0.0.0.0:4053", coordinator);
        Assert.Contains("--public-host coordinator", coordinator);
        Assert.Contains("--out az://", coordinator);

        foreach (var w in workers)
        {
            var command = string.Join(' ', Sequence(services[w], "command"));
            Assert.Contains("--join coordinator:4053", command);
        }

        // Exactly the GPU worker reserves an nvidia device, and it asks ONNX Runtime for CUDA.
        var gpu = workers.Where(w => DescendantScalars(services[w]).Contains("nvidia")).ToList();
        var gpuWorker = Assert.Single(gpu);
        Assert.Contains("--device cuda:0", string.Join(' ', Sequence(services[gpuWorker], "command")));

        foreach (var name in new[] { "coordinator" }.Concat(workers))
        {
            var env = Get(services[name], "environment") as YamlMappingNode;
            Assert.NotNull(env);
            Assert.Contains("azurite", Scalar(env, "AZURE_STORAGE_CONNECTION_STRING"));
        }
    }

    [Fact]
    public void Compose_host_ports_bind_loopback_only()
    {
        var services = ComposeServices();
        int mappings = 0;
        foreach (var (name, service) in services)
        {
            if (Get(service, "ports") is not YamlSequenceNode ports)
                continue;
            foreach (var port in ports)
            {
                mappings++;
                switch (port)
                {
                    case YamlScalarNode s:
                        // HOST_IP:HOST_PORT:CONTAINER_PORT; anything shorter publishes on every interface.
                        var parts = s.Value!.Split(':');
                        Assert.True(parts.Length == 3 && parts[0] == "127.0.0.1", $"{name}: port '{s.Value}' is not bound to 127.0.0.1");
                        break;
                    case YamlMappingNode m:
                        Assert.Equal("127.0.0.1", Scalar(m, "host_ip"));
                        break;
                    default:
                        Assert.Fail($"{name}: unexpected port entry {port}");
                        break;
                }
            }
        }
        Assert.True(mappings > 0, "compose publishes no port at all (azurite should be reachable from the host)");
    }

    [Fact]
    public void Every_k8s_document_has_apiVersion_kind_and_name()
    {
        var docs = K8sDocuments().ToList();
        Assert.NotEmpty(docs);
        foreach (var (file, doc) in docs)
        {
            Assert.False(string.IsNullOrWhiteSpace(Scalar(doc, "apiVersion")), $"{file}: no apiVersion");
            Assert.False(string.IsNullOrWhiteSpace(Scalar(doc, "kind")), $"{file}: no kind");
            var metadata = Get(doc, "metadata") as YamlMappingNode;
            Assert.False(string.IsNullOrWhiteSpace(metadata is null ? null : Scalar(metadata, "name")), $"{file}: no metadata.name");
        }
        var kinds = docs.Select(d => Scalar(d.Doc, "kind")).ToHashSet();
        Assert.Superset(new HashSet<string?> { "Namespace", "Deployment", "Service", "PodDisruptionBudget" }, kinds);
    }

    [Fact]
    public void Coordinator_service_is_headless_and_workers_join_its_dns_name()
    {
        var docs = K8sDocuments().Select(d => d.Doc).ToList();
        var service = Single(docs, "Service", "robustcrop-coordinator");
        Assert.Equal("None", Scalar(Mapping(Get(service, "spec")), "clusterIP"));

        var coordinator = Container(Single(docs, "Deployment", "robustcrop-coordinator"));
        Assert.Equal("1", Scalar(Mapping(Get(Single(docs, "Deployment", "robustcrop-coordinator"), "spec")), "replicas"));
        var coordinatorArgs = string.Join(' ', Sequence(coordinator, "args"));
        Assert.Contains("--public-host robustcrop-coordinator.robustcrop.svc.cluster.local", coordinatorArgs);
        var readiness = Mapping(Get(coordinator, "readinessProbe"));
        Assert.NotNull(Get(readiness, "tcpSocket"));

        var worker = Container(Single(docs, "Deployment", "robustcrop-worker"));
        var workerArgs = string.Join(' ', Sequence(worker, "args"));
        Assert.Contains("--join robustcrop-coordinator.robustcrop.svc.cluster.local:4053", workerArgs);
        Assert.Contains("--device cuda:0", workerArgs);
    }

    [Fact]
    public void Worker_deployment_requests_a_gpu_and_every_container_has_resources()
    {
        var docs = K8sDocuments().Select(d => d.Doc).ToList();
        var worker = Container(Single(docs, "Deployment", "robustcrop-worker"));
        var resources = Mapping(Get(worker, "resources"));
        Assert.Equal("1", Scalar(Mapping(Get(resources, "limits")), "nvidia.com/gpu"));

        foreach (var deployment in docs.Where(d => Scalar(d, "kind") == "Deployment"))
        {
            var r = Mapping(Get(Container(deployment), "resources"));
            Assert.NotNull(Get(r, "requests"));
            Assert.NotNull(Get(r, "limits"));
        }
    }

    [Fact]
    public void Storage_connection_string_comes_from_a_secret()
    {
        foreach (var deployment in K8sDocuments().Select(d => d.Doc).Where(d => Scalar(d, "kind") == "Deployment"))
        {
            var env = (YamlSequenceNode)Get(Container(deployment), "env")!;
            var entry = env.Cast<YamlMappingNode>().Single(e => Scalar(e, "name") == "AZURE_STORAGE_CONNECTION_STRING");
            Assert.Null(Get(entry, "value"));
            Assert.NotNull(Get(Mapping(Get(entry, "valueFrom")), "secretKeyRef"));
        }
    }

    [Fact]
    public void Both_deployments_take_their_tls_certificate_and_password_from_one_secret()
    {
        var docs = K8sDocuments().Select(d => d.Doc).ToList();
        var secret = Single(docs, "Secret", "robustcrop-tls");
        var keys = Mapping(Get(secret, "stringData")).Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToHashSet();
        Assert.Superset(new HashSet<string?> { "coordinator.p12", "worker.p12", "password" }, keys);

        foreach (var (name, key) in new[] { ("robustcrop-coordinator", "coordinator.p12"), ("robustcrop-worker", "worker.p12") })
        {
            var deployment = Single(docs, "Deployment", name);
            var container = Container(deployment);
            Assert.Contains("--tls-cert /etc/robustcrop/tls/node.p12", string.Join(' ', Sequence(container, "args")));
            Assert.DoesNotContain(Sequence(container, "args"), a => a.Contains("password", StringComparison.OrdinalIgnoreCase));

            var env = ((YamlSequenceNode)Get(container, "env")!).Cast<YamlMappingNode>().Single(e => Scalar(e, "name") == "ROBUSTCROP_TLS_PASSWORD");
            Assert.Null(Get(env, "value"));
            var reference = Mapping(Get(Mapping(Get(env, "valueFrom")), "secretKeyRef"));
            Assert.Equal("robustcrop-tls", Scalar(reference, "name"));

            var mount = ((YamlSequenceNode)Get(container, "volumeMounts")!).Cast<YamlMappingNode>().Single(m => Scalar(m, "mountPath") == "/etc/robustcrop/tls");
            var podSpec = Mapping(Get(Mapping(Get(Mapping(Get(deployment, "spec")), "template")), "spec"));
            var volume = ((YamlSequenceNode)Get(podSpec, "volumes")!).Cast<YamlMappingNode>().Single(v => Scalar(v, "name") == Scalar(mount, "name"));
            var source = Mapping(Get(volume, "secret"));
            Assert.Equal("robustcrop-tls", Scalar(source, "secretName"));
            var item = ((YamlSequenceNode)Get(source, "items")!).Cast<YamlMappingNode>().Single();
            Assert.Equal((key, "node.p12"), (Scalar(item, "key"), Scalar(item, "path")));
        }
    }

    [Fact]
    public void No_infra_file_inlines_an_account_key()
    {
        var files = Directory.EnumerateFiles(InfraDir, "*", SearchOption.AllDirectories)
            .Append(Path.Combine(Root, ".dockerignore"));
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            Assert.False(Regex.IsMatch(text, @"AccountKey\s*=\s*[A-Za-z0-9+/]", RegexOptions.IgnoreCase), $"{Rel(file)} inlines an AccountKey");
            Assert.False(Regex.IsMatch(text, @"SharedAccessSignature\s*=|[?&]sig=", RegexOptions.IgnoreCase), $"{Rel(file)} inlines a SAS token");
            Assert.DoesNotContain("BEGIN PRIVATE KEY", text);
        }
        foreach (var ext in new[] { "*.pfx", "*.p12", "*.key", "*.pem", "*.crt" })
            Assert.Empty(Directory.EnumerateFiles(InfraDir, ext, SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("Dockerfile.coordinator", "robustcrop", "mcr.microsoft.com/dotnet/runtime:10.0")]
    [InlineData("Dockerfile.worker", "robustcrop-worker", "nvidia/cuda:13")]
    public void Dockerfile_builds_in_the_sdk_and_runs_non_root(string name, string executable, string finalBase)
    {
        var lines = DockerInstructions(File.ReadAllText(Path.Combine(InfraDir, "docker", name)));
        var froms = lines.Where(l => l.Instruction == "FROM").Select(l => l.Args).ToList();

        Assert.Contains(froms, f => Regex.IsMatch(f, @"^mcr\.microsoft\.com/dotnet/sdk:10\.0\S*\s+AS\s+build$", RegexOptions.IgnoreCase));
        Assert.True(froms.Count >= 2, "a multi-stage build needs a final FROM after the build stage");
        Assert.StartsWith(finalBase, froms[^1]);

        var publish = string.Join('\n', lines.Where(l => l.Instruction == "RUN").Select(l => l.Args));
        Assert.Contains("dotnet publish", publish);
        Assert.Contains("-r linux-x64", publish);
        Assert.Contains("--self-contained false", publish);

        // USER must be set in the final stage (after its FROM), and must not be root.
        int finalFrom = lines.FindLastIndex(l => l.Instruction == "FROM");
        var users = lines.Skip(finalFrom).Where(l => l.Instruction == "USER").Select(l => l.Args.Split(':')[0].Trim()).ToList();
        Assert.NotEmpty(users);
        Assert.DoesNotContain(users[^1], new[] { "root", "0" });

        Assert.Contains(lines.Skip(finalFrom), l => l.Instruction == "EXPOSE" && l.Args.Split(' ').Contains("4053"));

        var entrypoint = lines.Last(l => l.Instruction == "ENTRYPOINT").Args;
        var first = Regex.Match(entrypoint, @"^\[\s*""([^""]+)""").Groups[1].Value;
        if (first.Length == 0)
            first = entrypoint.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        if (Path.GetFileName(first) == "dotnet")
            first = Regex.Match(entrypoint, @"""([^""]+\.dll)""").Groups[1].Value;
        var named = first.EndsWith(".dll", StringComparison.Ordinal) ? Path.GetFileNameWithoutExtension(first) : Path.GetFileName(first);
        Assert.Equal(executable, named);
    }

    [Fact]
    public void Dockerignore_keeps_build_outputs_and_git_out()
    {
        var entries = File.ReadAllLines(Path.Combine(Root, ".dockerignore"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.TrimStart('*', '/').TrimEnd('/')).ToHashSet();
        Assert.Superset(new HashSet<string> { "bin", "obj", "out", ".tools", ".git" }, entries);
    }

    [Fact]
    public void Infra_files_name_no_path_of_a_build_machine()
    {
        foreach (var file in Directory.EnumerateFiles(InfraDir, "*", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            Assert.False(Regex.IsMatch(text, @"(?<![\w.-])(/home/|/work/|/Users/|[A-Z]:\\)"), $"{Rel(file)} names a local path");
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static IEnumerable<string> YamlFiles() =>
        Directory.EnumerateFiles(InfraDir, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private static List<YamlDocument> LoadDocuments(string file)
    {
        try { return Load(File.ReadAllText(file)); }
        catch (YamlDotNet.Core.YamlException e) { throw new Xunit.Sdk.XunitException($"{Rel(file)}: {e.Message}"); }
    }

    /// <summary>Every document of a (multi-document) stream; a document of comments only has no root and is dropped.</summary>
    private static List<YamlDocument> Load(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Where(d => d.RootNode is not YamlScalarNode { Value: null or "" }).ToList();
    }

    private static Dictionary<string, YamlMappingNode> ComposeServices()
    {
        var doc = Assert.Single(LoadDocuments(Path.Combine(InfraDir, "compose", "docker-compose.yml")));
        var services = Mapping(Get(Mapping(doc), "services"));
        return services.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => (YamlMappingNode)kv.Value);
    }

    private static IEnumerable<(string File, YamlMappingNode Doc)> K8sDocuments() =>
        YamlFiles().Where(f => f.StartsWith(Path.Combine(InfraDir, "k8s") + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .SelectMany(f => LoadDocuments(f).Select(d => (Rel(f), Mapping(d))));

    private static YamlMappingNode Single(IEnumerable<YamlMappingNode> docs, string kind, string name) =>
        Assert.Single(docs, d => Scalar(d, "kind") == kind && Scalar(Mapping(Get(d, "metadata")), "name") == name);

    private static YamlMappingNode Container(YamlMappingNode deployment)
    {
        var podSpec = Mapping(Get(Mapping(Get(Mapping(Get(deployment, "spec")), "template")), "spec"));
        return Assert.IsType<YamlMappingNode>(Assert.Single((YamlSequenceNode)Get(podSpec, "containers")!));
    }

    private static YamlMappingNode Mapping(YamlDocument doc) => Assert.IsType<YamlMappingNode>(doc.RootNode);

    private static YamlMappingNode Mapping(YamlNode? node) => Assert.IsType<YamlMappingNode>(node);

    /// <summary>A key of a mapping, following compose's <c>&lt;&lt;: *anchor</c> merge keys, which YAML 1.2 leaves to the reader.</summary>
    private static YamlNode? Get(YamlMappingNode map, string key)
    {
        if (map.Children.TryGetValue(new YamlScalarNode(key), out var value))
            return value;
        if (map.Children.TryGetValue(new YamlScalarNode("<<"), out var merged))
        {
            var sources = merged is YamlSequenceNode seq ? seq.Children : new List<YamlNode> { merged };
            foreach (var source in sources.OfType<YamlMappingNode>())
                if (Get(source, key) is { } found)
                    return found;
        }
        return null;
    }

    private static string? Scalar(YamlMappingNode map, string key) => (Get(map, key) as YamlScalarNode)?.Value;

    private static IEnumerable<string> Sequence(YamlMappingNode map, string key) =>
        Get(map, key) switch
        {
            YamlSequenceNode s => s.Children.Select(c => ((YamlScalarNode)c).Value ?? ""),
            YamlScalarNode s => (s.Value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
            _ => throw new Xunit.Sdk.XunitException($"no '{key}' list"),
        };

    private static HashSet<string> DescendantScalars(YamlNode node) =>
        node.AllNodes.OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToHashSet();

    /// <summary>Dockerfile instructions with comments dropped and backslash continuations joined.</summary>
    private static List<(string Instruction, string Args)> DockerInstructions(string text)
    {
        var result = new List<(string, string)>();
        string? pending = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#'))
                continue;
            var joined = pending is null ? line.Trim() : pending + " " + line.Trim();
            if (joined.EndsWith('\\'))
            {
                pending = joined[..^1].TrimEnd();
                continue;
            }
            pending = null;
            if (joined.Length == 0)
                continue;
            int space = joined.IndexOf(' ');
            var instruction = (space < 0 ? joined : joined[..space]).ToUpperInvariant();
            var args = space < 0 ? "" : Regex.Replace(joined[(space + 1)..].Trim(), @"\s+", " ");
            result.Add((instruction, args));
        }
        return result;
    }

    private static string Rel(string path) => Path.GetRelativePath(Root, path);
}
