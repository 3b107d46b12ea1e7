using System.Globalization;
using RobustCrop.Coordinator.Jobs;

namespace RobustCrop.Cli.Commands;

/// <summary>The bench's report as the lines it has always printed, the ratio last: <c>pipeline/bare: &lt;ratio&gt;</c>.</summary>
public static class BenchReportText
{
    public static void Render(BenchReport r, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(output);
        void Out(string line) => output.WriteLine(line);
        var s = r.Setup;
        string binding = s.IoBinding ? ", I/O binding over pinned host buffers" : "";
        Out($"model {s.ModelId} on {s.Device}, {s.Threads} intra-op thread(s), batch {s.Batch}, {s.DecodeThreads} decode thread(s), uint8 crops normalised in the graph{binding}, {s.Inputs} inputs from {s.DatasetName}, the sample job's plan (hash RICS n=9, cyclic RICS)");
        Out(F($"decode+resize: {r.DecodeMsPerImage:F2} ms/image; crop (uint8, normalised in the graph): {r.CropMsPerCrop:F3} ms/crop"));
        Out(F($"decode+crop: {r.DecodeCropMsPerCrop:F3} ms/crop ({r.TotalCrops} crops)"));
        Out(F($"bare ONNX Runtime loop: {r.Bare:F1} crops/s ({r.TotalCrops / r.Bare:F2} s; {Runs(r.BareRates, "run", "runs", "F1")})"));
        foreach (var rics in r.RicsScoring)
            Out(F($"rics scoring ({rics.Score}, n={rics.N}, 9 frames): {rics.MsPerImage:F2} ms/image = {100 * rics.MsPerImage / r.ForwardMs:F1}% of one forward pass ({r.ForwardMs:F1} ms)"));
        if (r.CyclicCanonicalisationMs is double cms)
            Out(F($"cyclic rics canonicalisation: {cms:F2} ms/input = {100 * cms / r.ForwardMs:F1}% of the forward pass it precedes"));
        Out(F($"full pipeline: {r.Pipeline:F1} crops/s ({r.PipelineCrops / r.Pipeline:F2} s, {r.PipelineCrops} crops, {r.PipelineImages} images; {Runs(r.PipelineRates, "run", "runs", "F1")})"));
        Out("each pipeline run / mean of the bare runs either side: " + string.Join(", ", r.Ratios.Select(v => v.ToString("F3", CultureInfo.InvariantCulture))));
        StageTable(r.PipelineStages, "", Out);
        foreach (var f in r.FeedScaling)
            Out(F($"feed scaling, {f.DecodeThreads} decode thread(s): {f.CropsPerSecond:F0} crops/s wall, {f.CropsPerCpuSecond:F0} crops per CPU-second"));
        var c = r.Feed;
        // Where the feed's CPU goes, stage by stage (the null model's "infer" is what an accelerator's launch would cost).
        Out("feed stages:");
        StageTable(c.Stages, "  ", Out);
        Out(F($"feed GC pauses: {c.GcPauseMs:F1} ms over {c.Seconds:F2} s; stages not timed above (queues, rows, threads waking): {c.UntimedCpuMsPerInput:F2} ms CPU/input"));
        Out(F($"feed capacity (near-zero-cost model, same shapes and head): {c.CropsPerSecond:F0} crops/s ({c.Seconds:F2} s wall, {c.CpuSeconds:F2} s CPU, {c.Crops} crops, {c.Inputs} inputs in one shard)"));
        Out(F($"feed/core: {c.PerCore:F0}"));
        foreach (var m in r.Memory)
            Out(F($"worker peak working set at {m.Size} inputs: {m.MedianMiB:F0} MiB ({m.InputsRead} inputs read, near-zero-cost model, {Runs(m.RunsMiB, "process", "processes", "F0")})"));
        if (r.PeakRatio is double ratio) Out(F($"peak working set ratio ({r.Memory[^1].Size} / {r.Memory[0].Size} inputs): {ratio:F3}"));
        Out(F($"pipeline/bare: {r.PipelineOverBare:F3}"));
    }

    /// <summary>Per stage: CPU time summed over the threads that ran it, per image and per crop, and its share of the wall time.</summary>
    private static void StageTable(IReadOnlyList<StageFigure> stages, string indent, Action<string> output)
    {
        output(indent + "stage            ms total   ms/image    ms/crop   % of wall (summed over threads)");
        foreach (var st in stages)
            output(indent + F($"{st.Name,-14} {st.TotalMs,10:F1} {st.MsPerImage,10:F2} {st.MsPerCrop,10:F3} {st.PercentOfWall,9:F1}"));
    }

    // "one run", or "median of 3 runs: a, b, c" in the order measured.
    private static string Runs(IReadOnlyList<double> values, string one, string many, string format) =>
        values.Count == 1 ? $"one {one}" : $"median of {values.Count} {many}: " + string.Join(", ", values.Select(v => v.ToString(format, CultureInfo.InvariantCulture)));

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
