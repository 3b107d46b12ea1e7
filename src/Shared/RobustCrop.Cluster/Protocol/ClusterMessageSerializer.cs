using System.Collections.Frozen;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace RobustCrop.Cluster.Protocol;

/// <summary>
/// JSON on the wire with a short, explicit manifest per type: the manifest is a stable name (not a CLR type name), so
/// renaming or moving a record does not break nodes of different builds, and an unknown manifest fails loudly.
/// </summary>
public sealed class ClusterMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 7371;

    private static readonly FrozenDictionary<string, Type> TypesByManifest = new Dictionary<string, Type>
    {
        ["job-spec"] = typeof(JobSpec),
        ["register"] = typeof(WorkProtocol.RegisterWorker),
        ["request-work"] = typeof(WorkProtocol.RequestWork),
        ["lease"] = typeof(WorkProtocol.ShardLease),
        ["no-work-yet"] = typeof(WorkProtocol.NoWorkYet),
        ["job-finished"] = typeof(WorkProtocol.JobFinished),
        ["renew"] = typeof(WorkProtocol.RenewLease),
        ["renewed"] = typeof(WorkProtocol.LeaseRenewed),
        ["lease-lost"] = typeof(WorkProtocol.LeaseLost),
        ["shard-completed"] = typeof(WorkProtocol.ShardCompleted),
        ["shard-failed"] = typeof(WorkProtocol.ShardFailed),
        ["completion-ack"] = typeof(WorkProtocol.CompletionAck),
        ["release-lease"] = typeof(WorkProtocol.ReleaseLease),
        ["worker-failed"] = typeof(WorkProtocol.WorkerFailed),
        ["worker-progress"] = typeof(ProgressProtocol.WorkerProgress),
        ["worker-refused"] = typeof(WorkProtocol.WorkerRefused),
        ["coordinator-stopping"] = typeof(WorkProtocol.CoordinatorStopping),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<Type, string> ManifestsByType = TypesByManifest.ToFrozenDictionary(kv => kv.Value, kv => kv.Key);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General)
    {
        RespectNullableAnnotations = true,
        // Only state travels: a computed, get-only member (RicsSelection.Any) is derived again on the receiving node,
        // never sent, so no node reads a derived value that disagrees with its source. (Get-only sequences are still
        // written by System.Text.Json; those carry [JsonIgnore].)
        IgnoreReadOnlyProperties = true,
        // Enums by name: a reordered or extended enum never changes what a number means between builds.
        Converters = { new JsonStringEnumConverter() },
    };

    public override int Identifier => Id;

    /// <summary>Every message type the serializer knows, for tests that round-trip all of them.</summary>
    public static IReadOnlyCollection<Type> KnownTypes => TypesByManifest.Values;

    public override string Manifest(object o)
        => ManifestsByType.TryGetValue(o.GetType(), out var m) ? m
            : throw new ArgumentException($"{o.GetType()} is not a registered cluster message", nameof(o));

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);

    public override object FromBinary(byte[] bytes, string manifest)
        => TypesByManifest.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, Json) ?? throw new SerializationException($"null payload for {manifest}")
            : throw new SerializationException($"unknown cluster message manifest '{manifest}'");

}
