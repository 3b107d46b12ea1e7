using System.Globalization;
using RobustCrop.Cli.Commands;
using RobustCrop.Cli.Options;
using RobustCrop.Core.Rics;

namespace RobustCrop.Cli.Tests;

/// <summary>
/// Every option refuses a careless value at parse time: exit code 2 and one line naming the option, before any data,
/// model or port is touched, so these run in-process in milliseconds.
/// </summary>
public class CommandLineTests
{
    private static readonly string Cores = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
    private static readonly string OverCores = (Environment.ProcessorCount + 1).ToString(CultureInfo.InvariantCulture);

    private static async Task<string> RefusedAsync(params string[] args)
    {
        var run = await CliHarness.RunAsync(args);
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Err}");
        Assert.Equal("", run.Out);
        var line = Assert.Single(run.ErrLines);
        Assert.StartsWith("robustcrop: ", line);
        return line;
    }

    [Fact]
    public async Task A_bad_rics_score_is_refused_with_one_line_listing_the_valid_names()
    {
        var line = await RefusedAsync("evaluate", "--rics-score", "hash,best");
        Assert.Contains("--rics-score", line);
        Assert.Contains("hash, dog, blob, hessian, all", line);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("nan")]
    [InlineData("inf")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("0")]
    [InlineData("-0.5")]
    [InlineData("1.0001")]
    [InlineData("abc")]
    public async Task Tau_outside_zero_to_one_or_not_finite_is_refused(string tau)
    {
        var line = await RefusedAsync("evaluate", "--tau", tau);
        Assert.Contains("--tau", line);
        Assert.Contains("(0, 1]", line);
    }

    [Theory]
    [InlineData("evaluate")]
    [InlineData("coordinator", "--listen", "127.0.0.1:4053")]
    [InlineData("predict")]
    [InlineData("bench")]
    [InlineData("fit-head", "--model", "m", "--data", "d", "--out", "o")]
    public async Task Threads_above_the_cores_of_the_machine_are_refused_naming_the_core_count(params string[] command)
    {
        var line = await RefusedAsync([.. command, "--threads", OverCores]);
        Assert.Equal($"robustcrop: --threads {OverCores}: this machine has {Cores} cores; give at most {Cores}", line);
        Assert.Contains("--threads", await RefusedAsync([.. command, "--threads", "0"]));
    }

    [Theory]
    [InlineData("evaluate")]
    [InlineData("coordinator", "--listen", "127.0.0.1:4053")]
    [InlineData("bench")]
    public async Task Decode_threads_above_the_cores_of_the_machine_are_refused_naming_the_core_count(params string[] command)
    {
        // --decode-threads 1024 was accepted: 6.0 GB at peak against 1.07 GB with 1.
        var line = await RefusedAsync([.. command, "--decode-threads", "1024"]);
        Assert.Equal($"robustcrop: --decode-threads 1024: this machine has {Cores} cores; give at most {Cores}", line);
        Assert.Equal($"robustcrop: --decode-threads {OverCores}: this machine has {Cores} cores; give at most {Cores}",
            await RefusedAsync([.. command, "--decode-threads", OverCores]));
    }

    [Fact]
    public async Task Workers_above_the_cores_are_refused()
    {
        var line = await RefusedAsync("evaluate", "--workers", OverCores);
        Assert.Contains($"--workers {OverCores}: this machine has {Cores} cores", line);
        Assert.Contains("--workers", await RefusedAsync("evaluate", "--workers", "0"));
        Assert.Contains("--workers", await RefusedAsync("coordinator", "--listen", "127.0.0.1:4053", "--workers", OverCores));
    }

    [Fact]
    public async Task Workers_whose_models_do_not_fit_in_memory_are_refused_naming_both_numbers()
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        int models = (int)(available / Defaults.BytesPerModel) + 1;
        string ids = string.Join(',', Enumerable.Range(0, models).Select(i => $"m{i}"));
        // One copy of each model whatever the workers (they share the sessions), plus each worker's buffers.
        long neededMb = (models * Defaults.BytesPerModel + 2 * Defaults.BytesPerLocalWorker) / (1024 * 1024);

        var line = await RefusedAsync("evaluate", "--workers", "2", "--model", ids);

        Assert.Contains($"{models} model(s) x 450 MB (one copy, shared by the workers) + 2 worker(s) x 64 MB = {neededMb} MB", line);
        Assert.Contains($"{available / (1024 * 1024)} MB of memory available; run fewer models per job", line);
    }

    [Fact]
    public async Task Workers_share_the_models_so_more_workers_do_not_multiply_the_model_memory()
    {
        // As many models as fit once, with every core a worker: a per-worker copy would need cores times as much.
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        int models = (int)((available - Environment.ProcessorCount * Defaults.BytesPerLocalWorker) / Defaults.BytesPerModel);
        Assert.True(models >= 2, $"{available} bytes available");
        string ids = string.Join(',', Enumerable.Range(0, models).Select(i => $"m{i}"));

        var run = await CliHarness.RunAsync("evaluate", "--workers", Cores, "--model", ids, "--limit", "1");

        // Past the option checks: the run itself stops on the unknown model ids, one line, not on --workers.
        Assert.DoesNotContain("--workers", run.Err);
        Assert.Contains("m0", run.Err);
    }

    [Theory]
    [InlineData("--batch", "0")]
    [InlineData("--batch", "-1")]
    [InlineData("--batch", "4097")]
    [InlineData("--batch", "1e3")]
    [InlineData("--batch", "")]
    [InlineData("--batch", "automatic")]
    [InlineData("--limit", "-1")]
    [InlineData("--limit", "lots")]
    [InlineData("--shard-size", "0")]
    [InlineData("--shard-size", "2.5")]
    [InlineData("--window", "-1")]
    [InlineData("--window", "65")]
    [InlineData("--rics", "4")]
    [InlineData("--rics", "0")]
    [InlineData("--rics", "-3")]
    [InlineData("--rics", "9,x")]
    [InlineData("--rics", ",")]
    [InlineData("--rics", "257")]
    [InlineData("--rics-score", "best")]
    [InlineData("--rics-seed", "-1")]
    [InlineData("--device", "tpu")]
    [InlineData("--device", "cuda:0,cuda:0")]
    [InlineData("--decode-threads", "0")]
    [InlineData("--run-id", "a/b")]
    [InlineData("--run-id", "../up")]
    public async Task Evaluate_refuses_a_bad_value_with_one_line_naming_the_option(string option, string value)
    {
        var line = await RefusedAsync("evaluate", option, value);
        Assert.Contains(option == "--device" ? "device" : option, line);
    }

    [Theory]
    [InlineData("evaluate", "median")]
    [InlineData("evaluate", "select,soft0")]
    [InlineData("evaluate", "soft65")]
    [InlineData("evaluate", ",")]
    [InlineData("coordinator", "topk")]
    [InlineData("predict", "softly")]
    public async Task A_bad_rics_mode_is_refused_with_one_line_naming_the_valid_ones(string command, string mode)
    {
        // The coordinator's own required option is given, so the refusal is the mode's.
        var line = await RefusedAsync(command == "coordinator" ? [command, "--listen", "127.0.0.1:4053", "--rics-mode", mode] : [command, "--rics-mode", mode]);
        Assert.Contains("--rics-mode", line);
        Assert.Contains("select, soft2, soft4, soft8, block2, rook4, mean-all", line);
    }

    [Fact]
    public async Task A_combining_rics_mode_without_the_hash_score_is_refused()
        => Assert.Contains("add hash to --rics-score", await RefusedAsync("evaluate", "--rics-mode", "soft4", "--rics-score", "dog"));

    [Fact]
    public void Rics_modes_bind_into_the_run_settings_and_the_sample_job_measures_soft4_and_rook4_beside_select()
    {
        var set = new EvaluateOptionSet();
        var command = new System.CommandLine.Command("evaluate");
        set.AddTo(command);
        var given = set.Bind(command.Parse(["--data", "x", "--rics", "9", "--rics-mode", "select,all"]));
        Assert.Equal(RicsMode.All, given.Run.Rics.Modes.AsEnumerable());
        var sample = set.Bind(command.Parse([]));
        Assert.Equal([RicsMode.Select, RicsMode.Soft(4), RicsMode.Rook(4)], sample.Run.Rics.Modes.AsEnumerable());
        var plain = set.Bind(command.Parse(["--data", "x", "--rics", "9"]));
        Assert.Equal([RicsMode.Select], plain.Run.Rics.Modes.AsEnumerable());
    }

    [Theory]
    [InlineData("blur:2")]
    [InlineData("subpixel:0.5,rotate:90")]
    [InlineData("jpeg")]
    public async Task A_bad_motion_spec_is_one_line_naming_every_valid_form(string spec)
    {
        var line = await RefusedAsync("evaluate", "--motion", spec);
        Assert.Contains("--motion", line);
        foreach (var form in new[] { "subpixel:δ", "rotate:θ", "zoom:s", "jpeg:q", "noise:σ" }) Assert.Contains(form, line);
    }

    [Theory]
    [InlineData("--window", "4")]
    [InlineData("--window", "0")]
    [InlineData("--batch", "0")]
    [InlineData("--shard-size", "-5")]
    [InlineData("--limit", "-1")]
    [InlineData("--score", "sharp")]
    public async Task Predict_refuses_a_bad_value(string option, string value)
        => Assert.Contains(option, await RefusedAsync("predict", option, value));

    [Theory]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:-1")]
    [InlineData("127.0.0.1")]
    [InlineData(":4053")]
    [InlineData("127.0.0.1:port")]
    public async Task Coordinator_listen_needs_a_port_workers_can_dial(string listen)
        => Assert.Contains("--listen needs HOST:PORT (port 1-65535)", await RefusedAsync("coordinator", "--listen", listen));

    [Theory]
    [InlineData("--lease-seconds", "1")]
    [InlineData("--status-seconds", "0")]
    [InlineData("--log-level", "loud")]
    public async Task Coordinator_refuses_a_bad_value(string option, string value)
        => Assert.Contains(option, await RefusedAsync("coordinator", "--listen", "127.0.0.1:4053", option, value));

    [Fact]
    public async Task Coordinator_tls_options_are_checked_before_anything_starts()
    {
        using var tmp = new TempDir();
        string junk = Path.Combine(tmp.Path, "bad.p12");
        File.WriteAllText(junk, "not a certificate");
        Assert.Equal("robustcrop: --tls-peer-thumbprint needs --tls-cert",
            await RefusedAsync("coordinator", "--listen", "127.0.0.1:4053", "--tls-peer-thumbprint", new string('A', 40)));
        Assert.StartsWith("robustcrop: --tls-cert: no such file",
            await RefusedAsync("coordinator", "--listen", "127.0.0.1:4053", "--tls-cert", Path.Combine(tmp.Path, "none.p12")));
        Assert.Contains("not a PKCS#12 file",
            await RefusedAsync("coordinator", "--listen", "127.0.0.1:4053", "--tls-cert", junk));
        Assert.StartsWith("robustcrop: --tls-peer-thumbprint needs a SHA-1",
            await RefusedAsync("coordinator", "--listen", "127.0.0.1:4053", "--tls-cert", junk, "--tls-peer-thumbprint", "xyz"));
        // The password is never a flag.
        Assert.Contains("--tls-password", await RefusedAsync("coordinator", "--listen", "127.0.0.1:4053", "--tls-password", "secret"));
    }

    [Fact]
    public async Task Bench_cluster_refuses_bad_counts()
    {
        Assert.Contains("--workers", await RefusedAsync("bench-cluster", "--workers", "0"));
        Assert.Contains("--workers", await RefusedAsync("bench-cluster", "--workers", "8,x"));
        Assert.Contains("--shards", await RefusedAsync("bench-cluster", "--shards", "0"));
        Assert.Contains("--latency-ms", await RefusedAsync("bench-cluster", "--latency-ms", "-1"));
        Assert.Contains("--timeout-s", await RefusedAsync("bench-cluster", "--timeout-s", "0"));
    }

    [Fact]
    public async Task Usage_mistakes_are_one_line_and_exit_code_2()
    {
        Assert.Equal("robustcrop: unknown option --frobnicate for 'evaluate'", await RefusedAsync("evaluate", "--frobnicate", "3"));
        Assert.Equal("robustcrop: unknown option --frobnicate for 'evaluate'", await RefusedAsync("evaluate", "--frobnicate=3"));
        Assert.Equal("robustcrop: option --out is given twice", await RefusedAsync("evaluate", "--out", "a", "--out", "b"));
        Assert.Equal("robustcrop: --out needs a value", await RefusedAsync("evaluate", "--out"));
        Assert.Equal("robustcrop: unexpected argument 'extra' for 'evaluate'", await RefusedAsync("evaluate", "extra"));
        Assert.StartsWith("robustcrop: unknown command 'evalute'", await RefusedAsync("evalute"));
        Assert.Equal("robustcrop: coordinator needs --listen HOST:PORT", await RefusedAsync("coordinator"));
        Assert.Equal("robustcrop: query needs --run RUN", await RefusedAsync("query", "SELECT 1"));
        Assert.StartsWith("robustcrop: give exactly one SQL statement", await RefusedAsync("query", "--run", "out/x"));
        Assert.Equal("robustcrop: give either --run URI or --runs URI,URI,...", await RefusedAsync("aggregate"));
        Assert.Contains(".parquet or .csv", await RefusedAsync("aggregate", "--runs", "a", "--out", "zoo.txt"));
        Assert.Contains("not both", await RefusedAsync("predict", "--robust", "--cyclic"));
        Assert.Contains("--kind", await RefusedAsync("fit-head", "--model", "m", "--data", "d", "--out", "o", "--kind", "linear"));
    }

    [Fact]
    public async Task The_name_equals_value_form_is_accepted()
    {
        Assert.Equal("robustcrop: --tau must be in (0, 1]; got 2", await RefusedAsync("evaluate", "--tau=2"));
        Assert.Contains("--threads", await RefusedAsync("evaluate", $"--threads={OverCores}"));
    }

    [Fact]
    public void An_option_value_never_swallows_the_positional_argument_after_it()
    {
        var root = CommandRouter.Build(CliConsole.ForWriters(TextWriter.Null, TextWriter.Null));

        var query = root.Parse(["query", "--run", "out/x", "--format", "csv", "SELECT 1"]);
        Assert.Empty(query.Errors);
        Assert.Equal("SELECT 1", query.GetValue<string>("SQL"));
        Assert.Equal("csv", query.GetValue<string>("--format"));

        var valueFirst = root.Parse(["query", "SELECT 2", "--run", "out/x"]);
        Assert.Empty(valueFirst.Errors);
        Assert.Equal("SELECT 2", valueFirst.GetValue<string>("SQL"));
    }

    [Fact]
    public async Task A_flag_followed_by_an_argument_leaves_the_argument_alone()
    {
        var root = CommandRouter.Build(CliConsole.ForWriters(TextWriter.Null, TextWriter.Null));
        var flag = root.Parse(["predict", "--robust", "--window", "3"]);
        Assert.Empty(flag.Errors);
        Assert.True(flag.GetValue<bool>("--robust"));
        Assert.Equal(3, flag.GetValue<int>("--window"));

        // The hand-written parser read "samples" as the flag's value; now it is a stray argument, named as such.
        Assert.Equal("robustcrop: unexpected argument 'samples' for 'predict'", await RefusedAsync("predict", "--robust", "samples"));
        Assert.Equal("robustcrop: unexpected argument 'samples' for 'evaluate'", await RefusedAsync("evaluate", "--keep-embeddings", "samples"));
        Assert.False(root.Parse(["evaluate", "--rics-cyclic", "false"]).GetValue<bool>("--rics-cyclic"));
    }

    [Fact]
    public async Task Help_is_generated_from_the_declarations_with_their_defaults()
    {
        var help = await CliHarness.RunAsync("help", "evaluate");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--tau <T[,T...]>", help.Out);
        Assert.Contains($"[default: {Defaults.Evaluate.Tau.ToString(CultureInfo.InvariantCulture)}]", help.Out);
        Assert.Contains($"[default: {Defaults.Evaluate.ShardSize}]", help.Out);
        Assert.Contains($"or {Defaults.Evaluate.SampleLimit} for the sample job", help.Out);
        Assert.Equal("", help.Err);

        var dashDash = await CliHarness.RunAsync("evaluate", "--help");
        Assert.Equal(0, dashDash.ExitCode);
        Assert.Equal(help.Out, dashDash.Out);

        var all = await CliHarness.RunAsync("help");
        Assert.Equal(0, all.ExitCode);
        foreach (var command in new[] { "evaluate", "coordinator", "fit-head", "predict", "bench", "bench-cluster", "bench-aggregate", "aggregate", "query", "report" })
            Assert.Contains(command, all.Out);
        Assert.Equal(0, (await CliHarness.RunAsync("--help")).ExitCode);

        var none = await CliHarness.RunAsync();
        Assert.Equal(2, none.ExitCode);
        Assert.Equal(all.Out, none.Out);
    }
}
