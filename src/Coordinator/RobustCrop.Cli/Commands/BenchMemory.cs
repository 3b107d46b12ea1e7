using System.Globalization;
using RobustCrop.Coordinator.Jobs;
using RobustCrop.Core.Settings;

namespace RobustCrop.Cli.Commands;

/// <summary>
/// The bench's memory children (<c>bench --images 100,1000</c>): per size a fresh robustcrop process measures its own peak
/// working set over that many inputs (<see cref="BenchFeed.MeasureMemoryAsync"/>) and prints one line, which the parent
/// reads back. A process's VmHWM cannot be reset, hence one process per size.
/// </summary>
public static class BenchMemory
{
    public const string Option = "--measure-memory";
    private const string Prefix = "memory ";

    /// <summary>The parent: the same bench options, in a child that measures <paramref name="images"/> inputs.</summary>
    public static async Task<MemoryMeasurement> InChildAsync(int images, BenchOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var f = (await SelfProcess.RunForLineAsync(["bench", Option, I(images), .. Args(options)], Prefix, ct)).Split(' ');
        return new MemoryMeasurement(long.Parse(f[0], CultureInfo.InvariantCulture), long.Parse(f[1], CultureInfo.InvariantCulture));
    }

    /// <summary>The child: measures and prints its one line.</summary>
    public static async Task<int> MeasureAsync(BenchOptions options, int images, TextWriter output, CancellationToken ct)
    {
        var m = await BenchFeed.MeasureMemoryAsync(options, images, ct);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Prefix}{m.Inputs} {m.PeakBytes}"));
        return 0;
    }

    // What both the bench and its memory children are run with.
    private static IEnumerable<string> Args(BenchOptions o) => ["--model", o.Model, "--zoo", o.Zoo, "--data", o.Data, "--threads", I(o.Threads),
        "--batch", o.Batch == RunSettings.AutoBatch ? "auto" : I(o.Batch), "--device", o.Device, "--decode-threads", I(o.DecodeThreads)];

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
