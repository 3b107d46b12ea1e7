using System.Globalization;

namespace RobustCrop.Worker.Host.Tests;

public class WorkerNodeOptionsTests
{
    // All the cores (one more than the default decode threads), the most --decode-threads may be.
    private static readonly string Cores = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
    private static readonly string OverCores = (Environment.ProcessorCount + 1).ToString(CultureInfo.InvariantCulture);

    private static Func<string, string?> Env(params (string Name, string Value)[] vars)
        => name => vars.FirstOrDefault(v => v.Name == name).Value;

    private static string Refused(string[] args, Func<string, string?>? env = null)
        => Assert.Throws<ArgumentException>(() => WorkerNodeOptions.Parse(args, env ?? Env())).Message;

    [Fact]
    public void Defaults_apply_and_threads_share_the_cores_between_the_shards_at_once()
    {
        var o = WorkerNodeOptions.Parse(["--join", "127.0.0.1:4053"], Env());
        Assert.Equal(new WorkerNodeOptions("127.0.0.1:4053", WorkerNodeOptions.Defaults.Listen, null, WorkerNodeOptions.Defaults.Device,
            WorkerNodeOptions.Defaults.Capacity, Environment.ProcessorCount, WorkerNodeOptions.Defaults.LogLevel)
        { DecodeThreads = Math.Max(1, Environment.ProcessorCount - 1) }, o);
        if (Environment.ProcessorCount >= 2)
            Assert.Equal(Environment.ProcessorCount / 2, WorkerNodeOptions.Parse(["--join", "h:1", "--capacity", "2"], Env()).Threads);
    }

    [Fact]
    public void Every_option_falls_back_to_its_environment_variable_and_an_argument_wins()
    {
        var env = Env(("ROBUSTCROP_JOIN", "coordinator:4053"), ("ROBUSTCROP_DEVICE", "cuda:0"), ("ROBUSTCROP_PUBLIC_HOST", "w1"),
            ("ROBUSTCROP_LOG_LEVEL", "debug"), ("ROBUSTCROP_LISTEN", "0.0.0.0:0"), ("ROBUSTCROP_CAPACITY", "1"), ("ROBUSTCROP_THREADS", "1"),
            ("ROBUSTCROP_DECODE_THREADS", Cores), ("ROBUSTCROP_INSECURE", "true"), ("ROBUSTCROP_METRICS_HOST", "10.1.2.3"));
        var fromEnv = WorkerNodeOptions.Parse([], env);
        Assert.Equal(new WorkerNodeOptions("coordinator:4053", "0.0.0.0:0", "w1", "cuda:0", 1, 1, "debug")
            { DecodeThreads = Environment.ProcessorCount, Insecure = true, MetricsHost = "10.1.2.3" }, fromEnv);

        var given = WorkerNodeOptions.Parse(["--join", "other:5000", "--device=cpu"], env);
        Assert.Equal("other:5000", given.Join);
        Assert.Equal("cpu", given.Device);
    }

    [Fact]
    public void Tls_options_come_from_arguments_or_the_environment_and_the_password_never_from_an_option()
    {
        var env = Env(("ROBUSTCROP_JOIN", "c:4053"), ("ROBUSTCROP_TLS_CERT", "/etc/tls/node.p12"), ("ROBUSTCROP_TLS_PEER_THUMBPRINT", "AB"));
        var fromEnv = WorkerNodeOptions.Parse([], env);
        Assert.Equal(("/etc/tls/node.p12", "AB"), (fromEnv.TlsCert, fromEnv.TlsPeerThumbprint));
        Assert.Equal("other.p12", WorkerNodeOptions.Parse(["--tls-cert", "other.p12"], env).TlsCert);
        Assert.Null(WorkerNodeOptions.Parse(["--join", "c:1"], Env()).TlsCert);

        Assert.Equal("unknown option --tls-password", Refused(["--join", "c:1", "--tls-cert", "a.p12", "--tls-password", "x"]));
        Assert.Contains("--tls-peer-thumbprint needs --tls-cert", Refused(["--join", "c:1", "--tls-peer-thumbprint", "AB"]));
    }

    [Fact]
    public void A_public_host_without_tls_is_refused_unless_insecure_and_metrics_stay_on_loopback_unless_named()
    {
        string refusal = Refused(["--join", "c:1", "--public-host", "w1"]);
        Assert.StartsWith("--public-host without --tls-cert", refusal);
        Assert.Contains("--insecure", refusal);
        Assert.DoesNotContain("\n", refusal);

        var insecure = WorkerNodeOptions.Parse(["--join", "c:1", "--public-host", "w1", "--insecure", "--metrics-port", "9100"], Env());
        Assert.True(insecure.Insecure);
        Assert.Equal("127.0.0.1", insecure.MetricsHost);
        var tls = WorkerNodeOptions.Parse(["--join", "c:1", "--public-host", "w1", "--tls-cert", "node.p12"], Env());
        Assert.Equal(("127.0.0.1", false), (tls.MetricsHost, tls.Insecure));
        Assert.Equal("0.0.0.0", WorkerNodeOptions.Parse(["--join", "c:1", "--metrics-host", "0.0.0.0"], Env()).MetricsHost);
        Assert.Equal("*", RobustCrop.Cluster.Hosting.PlainMode.MetricsBind("0.0.0.0"));
    }

    [Fact]
    public void Bad_values_are_one_line_naming_the_option_or_its_variable()
    {
        Assert.StartsWith("--join HOST:PORT is required", Refused([]));
        Assert.Equal("--join needs HOST:PORT (port 1-65535); got 'h:0'", Refused(["--join", "h:0"]));
        Assert.Equal("--join (from ROBUSTCROP_JOIN) needs HOST:PORT (port 1-65535); got 'nowhere'", Refused([], Env(("ROBUSTCROP_JOIN", "nowhere"))));
        Assert.Contains("--listen", Refused(["--join", "h:1", "--listen", "h:70000"]));
        Assert.Contains($"this machine has {Environment.ProcessorCount} cores", Refused(["--join", "h:1", "--capacity", OverCores]));
        Assert.Contains($"this machine has {Environment.ProcessorCount} cores", Refused(["--join", "h:1", "--threads", OverCores]));
        Assert.Contains("--capacity (from ROBUSTCROP_CAPACITY)", Refused(["--join", "h:1"], Env(("ROBUSTCROP_CAPACITY", "lots"))));
        Assert.Contains("--capacity", Refused(["--join", "h:1", "--capacity", "0"]));
        Assert.Equal("invalid device 'tpu': expected cpu, cuda or cuda:N", Refused(["--join", "h:1", "--device", "tpu"]));
        Assert.Equal("device cuda:1 is listed twice in 'cuda:1,cuda:1'", Refused(["--join", "h:1", "--device", "cuda:1,cuda:1"]));
        Assert.Contains("--decode-threads", Refused(["--join", "h:1", "--decode-threads", "0"]));
        Assert.Equal($"--decode-threads must be a whole number from 1 to {Environment.ProcessorCount} (this machine has {Environment.ProcessorCount} cores); got '{OverCores}'",
            Refused(["--join", "h:1", "--decode-threads", OverCores]));
        Assert.Contains("--log-level", Refused(["--join", "h:1", "--log-level", "loud"]));
        Assert.Equal("unknown option --frob", Refused(["--join", "h:1", "--frob", "1"]));
        Assert.Equal("option --join is given twice", Refused(["--join", "h:1", "--join", "h:2"]));
        Assert.Equal("--threads needs a value", Refused(["--join", "h:1", "--threads"]));
        Assert.Equal("unexpected argument 'extra'", Refused(["--join", "h:1", "extra"]));
    }

    [Fact]
    public void Help_is_generated_with_the_defaults()
    {
        Assert.True(WorkerNodeOptions.IsHelp(["--help"]));
        Assert.False(WorkerNodeOptions.IsHelp(["--join", "h:1"]));
        var text = new StringWriter();
        WorkerNodeOptions.WriteHelp(text, Env());
        Assert.Contains("--capacity <N>", text.ToString());
        Assert.Contains($"[default: {WorkerNodeOptions.Defaults.LogLevel}]", text.ToString());
        Assert.Contains("ROBUSTCROP_JOIN", text.ToString());
    }
}
