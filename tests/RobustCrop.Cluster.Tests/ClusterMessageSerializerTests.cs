using Akka.Actor;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Core.Data;
using RobustCrop.Core.Motion;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;
using static RobustCrop.Cluster.Protocol.WorkProtocol;

namespace RobustCrop.Cluster.Tests;

public sealed class ClusterMessageSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("serializer-tests");
    private readonly ClusterMessageSerializer _serializer;

    public ClusterMessageSerializerTests() => _serializer = new ClusterMessageSerializer((ExtendedActorSystem)_system);

    public void Dispose() => _system.Dispose();

    private static readonly DateTimeOffset At = new(2025, 3, 4, 5, 6, 7, 891, TimeSpan.Zero);
    private static readonly Guid Correlation = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
    private static readonly WorkerId Worker = new("node-a-1234-abcdef");
    private static readonly DatasetShard Shard = new(new ShardId(17), ShardSource.Of("/data/t10k"), 68, 4);

    private static readonly JobSpec Spec = new(new RunSettings(new RunId("run-1"))
    {
        Data = "/data/a,/data/b#train",
        Out = "/out",
        ZooPath = "/zoo/default.yaml",
        ModelIds = ["resnet18", "resnet18-blur"],
        Limit = 112,
        KeepEmbeddings = true,
        ExtraTaus = [0.95, 0.9],
        Rics = RicsSelection.Of([1, 9, 31], [RicsScore.Hash, RicsScore.Dog], cyclic: true, windowFrames: true,
            modes: [RicsMode.Select, RicsMode.Soft(4), RicsMode.MeanAll]),
        Motion = [new MotionSpec(MotionKind.Subpixel, 0.5), new MotionSpec(MotionKind.Jpeg, 75)],
    });

    public static TheoryData<IClusterMessage> Samples() => new(All);

    private static readonly IClusterMessage[] All =
    [
        Spec,
        new RegisterWorker(Worker, 2, "cuda:1", ProtocolVersion.Current),
        new RequestWork(Worker, 3, Correlation),
        new ShardLease(new LeaseId(42), Shard.Id, Shard, At, Correlation),
        new NoWorkYet(Correlation, TimeSpan.FromMilliseconds(1500)),
        new JobFinished(new RunId("run-1"), false, "model m: returned NaN"),
        new RenewLease(Worker, [new LeaseId(1), new LeaseId(2)]),
        new LeaseRenewed(new LeaseId(42), At),
        new LeaseLost(new LeaseId(42), "re-queued"),
        new ShardCompleted(Worker, new LeaseId(42),
            new ManifestSummary(Shard.Id, 3, 1, 51, 4, [new ModelDevice("resnet18", "cpu"), new ModelDevice("tiny", "cuda:0")], At, At.AddSeconds(2.5))),
        new ShardFailed(Worker, new LeaseId(43), Shard.Id, "storage error: disk full"),
        new CompletionAck(new LeaseId(42)),
        new ReleaseLease(Worker, new LeaseId(44)),
        new WorkerFailed(Worker, "model file not found: /zoo/x.onnx"),
        new ProgressProtocol.WorkerProgress(Worker, 1234, 56789, 2, At),
        new WorkerRefused(Worker, "protocol version 1 (this coordinator speaks 2)"),
        new CoordinatorStopping(new RunId("run-1")),
    ];

    /// <summary>
    /// The wire form of every message but the job spec (pinned below), by manifest: a change here is a protocol change
    /// between nodes of different builds and must come with a new <see cref="ProtocolVersion.Current"/>.
    /// </summary>
    private static readonly Dictionary<string, string> Golden = new()
    {
        ["register"] = """{"Worker":{"Value":"node-a-1234-abcdef"},"Capacity":2,"Device":"cuda:1","ProtocolVersion":3}""",
        ["request-work"] = """{"Worker":{"Value":"node-a-1234-abcdef"},"Capacity":3,"CorrelationId":"0f8fad5b-d9cb-469f-a165-70867728950e"}""",
        ["lease"] = """{"Lease":{"Value":42},"ShardId":{"Value":17},"Shard":{"Id":{"Value":17},"Source":{"kind":"part","Part":"/data/t10k"},"Start":68,"Count":4},"ExpiresUtc":"2025-03-04T05:06:07.891+00:00","CorrelationId":"0f8fad5b-d9cb-469f-a165-70867728950e"}""",
        ["no-work-yet"] = """{"CorrelationId":"0f8fad5b-d9cb-469f-a165-70867728950e","RetryAfter":"00:00:01.5000000"}""",
        ["job-finished"] = """{"RunId":"run-1","Succeeded":false,"Reason":"model m: returned NaN"}""",
        ["renew"] = """{"Worker":{"Value":"node-a-1234-abcdef"},"Leases":[{"Value":1},{"Value":2}]}""",
        ["renewed"] = """{"Lease":{"Value":42},"ExpiresUtc":"2025-03-04T05:06:07.891+00:00"}""",
        ["lease-lost"] = """{"Lease":{"Value":42},"Reason":"re-queued"}""",
        ["shard-completed"] = """{"Worker":{"Value":"node-a-1234-abcdef"},"Lease":{"Value":42},"Manifest":{"Shard":{"Value":17},"Images":3,"Errors":1,"Crops":51,"Files":4,"Devices":[{"Model":"resnet18","Device":"cpu"},{"Model":"tiny","Device":"cuda:0"}],"StartedUtc":"2025-03-04T05:06:07.891+00:00","FinishedUtc":"2025-03-04T05:06:10.391+00:00"}}""",
        ["shard-failed"] = """{"Worker":{"Value":"node-a-1234-abcdef"},"Lease":{"Value":43},"ShardId":{"Value":17},"Reason":"storage error: disk full"}""",
        ["completion-ack"] = """{"Lease":{"Value":42}}""",
        ["release-lease"] = """{"Worker":{"Value":"node-a-1234-abcdef"},"Lease":{"Value":44}}""",
        ["worker-failed"] = """{"Worker":{"Value":"node-a-1234-abcdef"},"Reason":"model file not found: /zoo/x.onnx"}""",
        ["worker-progress"] = """{"Worker":{"Value":"node-a-1234-abcdef"},"ImagesDone":1234,"CropsDone":56789,"Running":2,"AtUtc":"2025-03-04T05:06:07.891+00:00"}""",
        ["coordinator-stopping"] = """{"RunId":"run-1"}""",
        ["worker-refused"] = """{"Worker":{"Value":"node-a-1234-abcdef"},"Reason":"protocol version 1 (this coordinator speaks 2)"}""",
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_message_has_a_pinned_wire_form(IClusterMessage message)
    {
        string manifest = _serializer.Manifest(message);
        if (message is JobSpec) return; // pinned, with its comment, by JobSpec_HasAStableWireForm
        string actual = System.Text.Encoding.UTF8.GetString(_serializer.ToBinary(message));
        Assert.True(Golden.TryGetValue(manifest, out string? golden), $"no golden payload for {manifest}");
        Assert.Equal(golden, actual);
        Assert.Equal(_serializer.ToBinary(message), _serializer.ToBinary(_serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(golden), manifest)));
    }

    [Fact]
    public void Protocol_version_is_pinned()
        // Bumped together with the golden payloads above; a registration of another version is refused by name.
        => Assert.Equal(3, ProtocolVersion.Current);

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_message_round_trips_through_its_manifest(IClusterMessage message)
    {
        string manifest = _serializer.Manifest(message);
        byte[] bytes = _serializer.ToBinary(message);
        object back = _serializer.FromBinary(bytes, manifest);

        Assert.IsType(message.GetType(), back);
        // Records holding ImmutableArray compare arrays by reference, so equality is checked on the re-serialised form
        // and, for the array-free ones, on the records themselves.
        Assert.Equal(bytes, _serializer.ToBinary(back));
        if (message is not (RenewLease or ShardCompleted)) Assert.Equal(message, back);
    }

    [Fact]
    public void Round_trip_keeps_collections_and_nested_values()
    {
        var done = (ShardCompleted)All.Single(m => m is ShardCompleted);
        var back = (ShardCompleted)_serializer.FromBinary(_serializer.ToBinary(done), _serializer.Manifest(done));
        Assert.Equal(done.Manifest.Devices.AsEnumerable(), back.Manifest.Devices.AsEnumerable());
        Assert.Equal(done.Manifest with { Devices = [] }, back.Manifest with { Devices = [] });

        var spec = (JobSpec)All.Single(m => m is JobSpec);
        var specBack = (JobSpec)_serializer.FromBinary(_serializer.ToBinary(spec), _serializer.Manifest(spec));
        Assert.Equal(spec.Run.ModelIds.AsEnumerable(), specBack.Run.ModelIds.AsEnumerable());
        Assert.Equal(spec.Run.Rics.Windows.AsEnumerable(), specBack.Run.Rics.Windows.AsEnumerable());
        Assert.Equal(spec.Run.Rics.Scores.AsEnumerable(), specBack.Run.Rics.Scores.AsEnumerable());
        Assert.Equal(spec.Run.Rics.Seed, specBack.Run.Rics.Seed);
        Assert.Equal(spec.Run.Rics.Modes.AsEnumerable(), specBack.Run.Rics.Modes.AsEnumerable());
        Assert.Equal([0.95, 0.9], specBack.Run.ExtraTaus.AsEnumerable());
        Assert.Equal(spec.Run.Motion.AsEnumerable(), specBack.Run.Motion.AsEnumerable());
        Assert.Equal(spec, specBack);
    }

    /// <summary>
    /// The job payload's wire form, pinned: a change here is a protocol change between nodes of different builds
    /// (enums by name, ids as strings, every default spelled out so a worker never falls back on its own).
    /// </summary>
    [Fact]
    public void Job_spec_has_a_stable_wire_form()
    {
        const string golden = """
            {"Run":{"RunId":"run-1","Data":"/data/a,/data/b#train","Out":"/out","ZooPath":"/zoo/default.yaml","ModelIds":["resnet18","resnet18-blur"],"Limit":112,"ShardSize":256,"Tau":0.99,"ExtraTaus":[0.95,0.9],"WindowK":2,"KeepEmbeddings":true,"KeepCaptions":false,"Batch":32,"Rics":{"Windows":[1,9,31],"Scores":["Hash","Dog","Cyclic"],"Seed":5929344408171315201,"WindowFrames":true,"Modes":[{"Kind":"Select","K":0},{"Kind":"Soft","K":4},{"Kind":"MeanAll","K":0}]},"DecodeLimits":{"MaxPixels":40000000,"MaxBytes":67108864,"MinSide":8},"MaxScenePixels":16000000,"Motion":[{"Kind":"Subpixel","Amount":0.5},{"Kind":"Jpeg","Amount":75}]}}
            """;
        Assert.Equal(golden, System.Text.Encoding.UTF8.GetString(_serializer.ToBinary(Spec)));
        Assert.Equal(Spec, _serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(golden), "job-spec"));
    }

    [Fact]
    public void A_job_spec_from_a_build_before_modes_reads_as_select()
    {
        const string old = """
            {"Run":{"RunId":"run-1","Data":"d","Out":"/out","ZooPath":"z","ModelIds":[],"Limit":0,"ShardSize":256,"Tau":0.99,"ExtraTaus":[],"WindowK":2,"KeepEmbeddings":false,"KeepCaptions":false,"Batch":32,"Rics":{"Windows":[9],"Scores":["Hash"],"Seed":1,"WindowFrames":false},"DecodeLimits":{"MaxPixels":40000000,"MaxBytes":67108864,"MinSide":8},"MaxScenePixels":16000000}}
            """;
        var spec = (JobSpec)_serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(old), "job-spec");
        Assert.Equal([RicsMode.Select], spec.Run.Rics.Modes.AsEnumerable());
    }

    [Fact]
    public void Shard_lease_carries_a_typed_composite_source()
    {
        var child = new DatasetShard(new ShardId(3), ShardSource.OfChild(1, "x|y", new ShardId(0), ShardSource.Of("x|y")), 0, 10);
        var lease = new ShardLease(new LeaseId(7), child.Id, child, At, Correlation);
        var back = (ShardLease)_serializer.FromBinary(_serializer.ToBinary(lease), _serializer.Manifest(lease));
        Assert.Equal(lease, back);
        Assert.Equal("1|x|y|0|x|y", back.Shard.Source.ToString());
    }

    [Fact]
    public void Every_cluster_message_type_has_a_manifest_and_a_sample()
    {
        var all = typeof(IClusterMessage).Assembly.GetTypes()
            .Where(t => typeof(IClusterMessage).IsAssignableFrom(t) && !t.IsInterface && !t.IsAbstract).ToHashSet();
        Assert.Equal(all.OrderBy(t => t.FullName), ClusterMessageSerializer.KnownTypes.OrderBy(t => t.FullName));
        var sampled = All.Select(m => m.GetType()).ToHashSet();
        Assert.Equal(all.OrderBy(t => t.FullName), sampled.OrderBy(t => t.FullName));
        Assert.Equal(all.Count, all.Select(t => _serializer.Manifest(All.First(o => o.GetType() == t))).Distinct().Count());
    }

    [Fact]
    public void Unknown_manifest_fails_loudly()
        => Assert.Throws<System.Runtime.Serialization.SerializationException>(() => _serializer.FromBinary("{}"u8.ToArray(), "no-such-message"));

    [Fact]
    public void The_system_binds_cluster_messages_to_this_serializer()
    {
        using var system = ActorSystem.Create("binding-test", Akka.Configuration.ConfigurationFactory.ParseString("""
            akka.actor.serializers.robustcrop = "RobustCrop.Cluster.Protocol.ClusterMessageSerializer, RobustCrop.Cluster"
            akka.actor.serialization-bindings { "RobustCrop.Cluster.Protocol.IClusterMessage, RobustCrop.Cluster" = robustcrop }
            """));
        var found = system.Serialization.FindSerializerFor(new CompletionAck(new LeaseId(1)));
        Assert.IsType<ClusterMessageSerializer>(found);
    }
}
