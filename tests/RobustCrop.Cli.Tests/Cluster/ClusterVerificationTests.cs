using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using RobustCrop.IO.Storage;

namespace RobustCrop.Cli.Tests.Cluster;

/// <summary>
/// Success is earned: a worker whose output goes to another storage account than the job's (its own credentials point
/// elsewhere) reports shards done; the coordinator reads the job's store, refuses it in one line, re-queues its shards,
/// and the job completes only when a worker that writes where the job says has done them. Two real Azurite emulators.
/// </summary>
[Collection(AzuriteCliCollection.Name)]
[Trait("Category", "Cluster")]
[Trait("Category", "Azurite")]
[Trait("Category", "Slow")]
public sealed partial class ClusterVerificationTests(AzuriteFixture jobStore) : NodeProcessTest, IAsyncLifetime
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(120);
    private readonly AzuriteFixture _elsewhere = new();
    private readonly string _container = "verify-" + Guid.NewGuid().ToString("N")[..12];

    public Task InitializeAsync() => _elsewhere.InitializeAsync();

    public Task DisposeAsync() => _elsewhere.DisposeAsync();

    private NodeProcess Worker(int port, string connectionString) => Track(NodeProcess.WorkerWithEnvironment(
        new Dictionary<string, string> { [StoreFactory.ConnectionStringVariable] = connectionString }, "--join", $"127.0.0.1:{port}", "--threads", "1"));

    [Fact]
    public async Task A_worker_writing_to_another_store_is_refused_and_its_shards_are_done_where_the_job_says()
    {
        const int inputs = 24;
        string zoo = NodeProcess.WriteTinyZoo(Tmp.Sub("zoo"));
        int port = NodeProcess.FreePort();
        var coordinator = Track(NodeProcess.Coordinator("coordinator", "--listen", $"127.0.0.1:{port}", "--status-seconds", "1",
            "--data", Path.Combine(AppContext.BaseDirectory, "samples", "fashion-mnist"), "--limit", $"{inputs}", "--shard-size", "4",
            "--zoo", zoo, "--window", "1", "--threads", "1", "--out", $"az://{_container}/runs", "--run-id", "v1",
            "--connection-string", jobStore.ConnectionString));

        // The same container name in another storage account: the worker's writes succeed, just not where the job is.
        await new BlobServiceClient(_elsewhere.ConnectionString).GetBlobContainerClient(_container).CreateIfNotExistsAsync();
        var misplaced = Worker(port, _elsewhere.ConnectionString);
        int misplacedExit = await misplaced.WaitForExitAsync(JobTimeout);
        Assert.True(misplacedExit == 1, misplaced.Output);
        string id = WorkerId().Match(misplaced.Output).Groups[1].Value;
        var refusals = misplaced.Output.Split('\n').Where(l => l.Contains("refused by the coordinator", StringComparison.Ordinal)).ToList();
        Assert.True(refusals.Count == 1, misplaced.Output);
        string refusal = refusals[0];
        Assert.Matches(@"refused by the coordinator: shard \d+ was reported done but its manifest is not in the job's store .*: this worker writes somewhere else", refusal);
        Assert.False(coordinator.HasExited, coordinator.Output);

        var honest = Worker(port, jobStore.ConnectionString);
        Assert.True(await coordinator.WaitForExitAsync(JobTimeout) == 0, coordinator.Output);
        Assert.Equal(0, await honest.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"worker_refused worker={id} ", coordinator.Output);
        Assert.Matches($@"requeued shard=\d+ lease=\d+ worker={id} reason=rejected", coordinator.Output);
        var done = ShardDone().Matches(coordinator.Output);
        Assert.Equal(inputs / 4, done.Count);
        Assert.All(done, m => Assert.NotEqual(id, m.Groups[1].Value));

        var blobs = new BlobServiceClient(jobStore.ConnectionString).GetBlobContainerClient(_container);
        var summary = JsonNode.Parse((await blobs.GetBlobClient("runs/v1/summary.json").DownloadContentAsync()).Value.Content.ToString())!;
        Assert.Equal(inputs, (long)summary["images"]! + (long)summary["errors"]!);
        Assert.True((await blobs.GetBlobClient("runs/v1/_SUCCESS").ExistsAsync()).Value);
    }

    [GeneratedRegex(@"worker (\S+): joining")]
    private static partial Regex WorkerId();

    [GeneratedRegex(@"^shard_done shard=\d+ lease=\d+ worker=(\S+) ", RegexOptions.Multiline)]
    private static partial Regex ShardDone();
}
