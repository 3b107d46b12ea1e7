using System.Globalization;
using System.Text.RegularExpressions;

namespace RobustCrop.Cli.Tests.Cluster;

/// <summary>
/// What an operator sees of a running job: the coordinator's and a worker's Prometheus /metrics scraped during the run
/// (the shard gauges always add up to the plan), and the coordinator's /status page.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
[Trait("Category", "Slow")]
public sealed partial class ClusterObservabilityTests : NodeProcessTest
{

    [Fact]
    public async Task Metrics_scraped_during_a_run_add_up_to_the_shards_and_the_status_page_shows_the_run()
    {
        // Enough shards that scrapes land while the worker still runs, even where a shard takes a tenth of a second.
        const int inputs = 160, shards = inputs / 4;
        string zoo = NodeProcess.WriteTinyZoo(Tmp.Sub("zoo"), kernel: 31, channels: 128);
        int port = NodeProcess.FreePort(), coordinatorMetrics = NodeProcess.FreePort(), workerMetrics = NodeProcess.FreePort();
        var coordinator = NodeProcess.Coordinator("coordinator", "--listen", $"127.0.0.1:{port}", "--status-seconds", "1", "--metrics-port", $"{coordinatorMetrics}",
            "--data", Path.Combine(AppContext.BaseDirectory, "samples", "fashion-mnist"), "--limit", $"{inputs}", "--shard-size", "4",
            "--zoo", zoo, "--window", "1", "--threads", "1", "--out", Path.Combine(Tmp.Path, "out"), "--run-id", "obs");
        Track(coordinator);
        var worker = NodeProcess.Worker("--join", $"127.0.0.1:{port}", "--threads", "1", "--metrics-port", $"{workerMetrics}");
        Track(worker);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var scrapes = new List<Dictionary<string, double>>();
        string? status = null, workerScrape = null;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (!coordinator.HasExited && DateTime.UtcNow < until)
        {
            try
            {
                var text = await http.GetStringAsync($"http://127.0.0.1:{coordinatorMetrics}/metrics");
                var samples = Parse(text);
                if (samples.ContainsKey("robustcrop_shards{state=\"done\"}")) scrapes.Add(samples);
                if (samples.GetValueOrDefault("robustcrop_shards{state=\"done\"}") >= 1)
                    status ??= await http.GetStringAsync($"http://127.0.0.1:{coordinatorMetrics}/status");
            }
            catch (HttpRequestException) { } // not listening yet, or the job just ended
            catch (TaskCanceledException) { }
            try
            {
                // Apart from the coordinator's: the worker may leave first. Its last scrape with a written shard is kept.
                var text = await http.GetStringAsync($"http://127.0.0.1:{workerMetrics}/metrics");
                if (Parse(text).GetValueOrDefault("robustcrop_worker_shards_total{outcome=\"written\"}") >= 1) workerScrape = text;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(300);
        }
        Assert.True(await coordinator.WaitForExitAsync(TimeSpan.FromSeconds(30)) == 0, coordinator.Output);

        Assert.NotEmpty(scrapes);
        foreach (var s in scrapes)
        {
            Assert.Equal(shards, s["robustcrop_shards{state=\"total\"}"]);
            double sum = s["robustcrop_shards{state=\"done\"}"] + s["robustcrop_shards{state=\"leased\"}"] + s["robustcrop_shards{state=\"queued\"}"]
                + s["robustcrop_shards{state=\"verifying\"}"];
            Assert.Equal(shards, sum);
        }
        var last = scrapes[^1];
        Assert.True(last["robustcrop_shards{state=\"done\"}"] >= 1);
        // Every verified shard's inputs are counted once: 4 per shard, no error rows in this data.
        Assert.Equal(0, last.GetValueOrDefault("robustcrop_input_errors_total"));
        Assert.Equal(0, last.Where(kv => kv.Key.StartsWith("robustcrop_requeues_total", StringComparison.Ordinal)).Sum(kv => kv.Value));

        Assert.NotNull(workerScrape);
        var w = Parse(workerScrape);
        Assert.True(w["robustcrop_worker_shards_total{outcome=\"written\"}"] >= 1);
        Assert.Equal(4 * w["robustcrop_worker_shards_total{outcome=\"written\"}"], w["robustcrop_worker_images_total"]);
        Assert.True(w["robustcrop_inference_batch_seconds_count{model=\"tiny\"}"] > 0);

        Assert.NotNull(status);
        Assert.StartsWith("<!DOCTYPE html>", status);
        Assert.Contains("<meta http-equiv=\"refresh\"", status);
        Assert.Contains("Run obs", status);
        Assert.Matches($@"<b>\d+ / {shards}</b>shards done", status);
        Assert.Contains(WorkerId().Match(worker.Output).Groups[1].Value, status);

        // A clean run at the default log level is quiet: no Akka info from the worker, no warnings about the departed
        // nodes' closed ports after the job's success.
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain("akka info ", worker.Output);
        Assert.DoesNotContain("akka debug ", worker.Output);
        Assert.DoesNotContain("AssociationError", coordinator.Output + worker.Output);
        Assert.DoesNotContain("Tried to associate with unreachable", coordinator.Output + worker.Output);
    }

    /// <summary>Prometheus text format: "name{labels} value" per sample line, comments skipped.</summary>
    private static Dictionary<string, double> Parse(string text)
        => text.Split('\n').Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split(' '))
            .Where(p => p.Length >= 2)
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));

    [GeneratedRegex(@"worker (\S+): joining")]
    private static partial Regex WorkerId();
}
