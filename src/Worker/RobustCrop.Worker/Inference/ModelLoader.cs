using RobustCrop.Core.Imaging;
using RobustCrop.Core.Models;
using RobustCrop.IO.Models;
using RobustCrop.IO.Onnx;
using RobustCrop.Worker.Pipeline;

namespace RobustCrop.Worker.Inference;

/// <summary>Turns a zoo manifest into a runnable model, failing with one line that names the problem.</summary>
public static class ModelLoader
{
    /// <summary>The largest batch <c>--batch auto</c> tries (the session's pinned buffers are sized for it on CUDA).</summary>
    public const int MaxAutoBatch = 512;

    /// <param name="autoBatch">Measure the batch to run with on CUDA (<see cref="BatchSizeSearch"/>), reported to <paramref name="note"/>.</param>
    /// <remarks>The manifest's normalisation is built into the graph, so the worker feeds uint8 crops.</remarks>
    public static EvaluatedModel Load(ModelManifest m, DeviceSpec device, int threads, bool autoBatch = false, Action<string>? note = null)
    {
        PixelNormalization norm;
        try
        {
            norm = Normalization(m);
        }
        catch (ZooException e)
        {
            throw new ModelLoadException($"model {m.Id}: {e.Message}");
        }
        bool search = autoBatch && device.Kind == DeviceKind.Cuda;
        var session = OnnxSessionFactory.Load(m.OnnxPath, SessionSpec.Of(m, device, threads) with
        {
            MaxBatch = search ? MaxAutoBatch : OnnxSession.DefaultMaxBatch,
            Normalization = norm,
        });
        try
        {
            if (m.InputName is not null && m.InputName != session.InputName)
                throw new ZooException($"input.name '{m.InputName}' is not the model's input ('{session.InputName}')");
            var interpreter = Interpreter(m, session.OutputDim);
            int batch = RunSettingsBatch;
            // Only where the session really runs on CUDA: a CPU's latency is linear in the batch from 1 (the fixed default).
            if (search && session.ActiveDevice.StartsWith("cuda", StringComparison.Ordinal))
            {
                var choice = BatchSizeSearch.Choose(b => SecondsPerCall(session, b), session.MaxBatch);
                note?.Invoke($"model {m.Id} on {session.ActiveDevice}: --batch auto chose {choice}");
                batch = choice.Batch;
            }
            return new EvaluatedModel(m, session, norm, interpreter, session.ActiveDevice) { AutoBatch = batch };
        }
        catch (ZooException e)
        {
            session.Dispose();
            throw new ModelLoadException($"model {m.Id}: {e.Message}");
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A session made elsewhere (the bench's near-zero-cost stand-in) run as model <paramref name="m"/>: its head, labels
    /// and normalisation, on whatever the session outputs. Throws <see cref="ModelLoadException"/> as <see cref="Load"/>.
    /// </summary>
    public static EvaluatedModel Wrap(ModelManifest m, OnnxSession session)
    {
        try
        {
            return new EvaluatedModel(m, session, Normalization(m), Interpreter(m, session.OutputDim), session.ActiveDevice);
        }
        catch (ZooException e)
        {
            throw new ModelLoadException($"model {m.Id}: {e.Message}");
        }
    }

    private static PixelNormalization Normalization(ModelManifest m) => new(m.ChannelOrder, m.Scale, m.Mean, m.Std, LoadMeanImage(m));

    private static OutputInterpreter Interpreter(ModelManifest m, int outputDim)
    {
        var head = m.HeadPath is null ? null : HeadFiles.Load(m.HeadPath, m.HeadClassesPath);
        var labels = m.LabelsPath is null ? null : HeadFiles.LoadLabels(m.LabelsPath);
        return new OutputInterpreter(m.Output, outputDim, head, labels);
    }

    private const int RunSettingsBatch = Core.Settings.RunSettings.DefaultBatch;

    /// <summary>The median of five timed calls after two warm-ups, on zero crops (the latency does not depend on the pixels).</summary>
    private static double SecondsPerCall(OnnxSession session, int batch)
    {
        var crops = new byte[batch * session.InputItemSize];
        var output = new float[batch * session.OutputDim];
        void Call() => session.Run(crops, batch, output);
        for (int i = 0; i < 2; i++) Call();
        var times = new double[5];
        for (int i = 0; i < times.Length; i++)
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            Call();
            times[i] = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }

    /// <summary>
    /// Everything <see cref="Load"/> would refuse, checked without creating a session: the model file and its declared
    /// input size, the mean image and the head. Lets a coordinator fail with one line before any worker starts.
    /// </summary>
    /// <returns>The values per image of the model's output (what crops files keep as its embedding) where the file fixes
    /// them; null when they are symbolic.</returns>
    public static long? Validate(ModelManifest m)
    {
        if (m.LowPassSigma is not null && m.LowPassRadius is < 1 or > OnnxModelSurgery.MaxRadius)
            throw new ModelLoadException($"model {m.Id}: lowpass.radius {m.LowPassRadius} is out of range 1..{OnnxModelSurgery.MaxRadius}");
        var info = OnnxSessionFactory.Validate(m.OnnxPath, m.InputSize, ModelIo.Of(m), m.Id);
        try
        {
            long? outputDim = DeclaredOutputDim(info, m.OutputName);
            LoadMeanImage(m);
            int? classes = m.Output == OutputKind.Logits && outputDim is long logits ? (int)logits : null;
            if (m.HeadPath is not null)
            {
                var head = HeadFiles.Load(m.HeadPath, m.HeadClassesPath);
                if (m.Output != OutputKind.Embedding) throw new ZooException("a head applies to embedding outputs only (output.kind: embedding)");
                if (outputDim is long d && d != head.Dimension)
                    throw new ZooException($"head {Path.GetFileName(m.HeadPath)} expects {head.Dimension}-d embeddings, the model outputs {d}");
                classes = head.Classes.Count;
            }
            if (m.LabelsPath is not null)
            {
                var labels = HeadFiles.LoadLabels(m.LabelsPath);
                if (m.Output != OutputKind.Logits && m.HeadPath is null)
                    throw new ZooException($"labels {Path.GetFileName(m.LabelsPath)}: the model has no classes (a logits output or a head)");
                if (classes is int k && labels.Count != k)
                    throw new ZooException($"labels {Path.GetFileName(m.LabelsPath)} names {labels.Count} classes, the model has {k}");
            }
            return outputDim;
        }
        catch (ZooException e)
        {
            throw new ModelLoadException($"model {m.Id}: {e.Message}");
        }
    }

    /// <summary>The largest output row a run takes: 16M floats (64 MB per crop) is far past any embedding or logit vector.</summary>
    public const long MaxOutputValues = 1L << 24;

    /// <summary>Values per image of the model's output when its shape is fixed; null when symbolic (probed at load).</summary>
    /// <remarks>A [B, tokens, D] output is pooled to D, so D is what a head must match.</remarks>
    public static long? DeclaredOutputDim(OnnxModelInfo info, string? outputName)
    {
        if (info.Outputs.Count == 0) throw new ZooException("the model declares no output");
        var output = outputName is null ? info.Outputs[0] : info.Outputs.Single(o => o.Name == outputName);
        if (output.Dims.Count < 2 || output.Dims.Skip(1).Any(d => d.Value is null)) return null;
        long n = 1;
        foreach (var d in output.Dims.Skip(1))
        {
            // Checked against the limit at every step, so absurd declared sizes cannot overflow.
            n *= d.Value!.Value;
            if (n < 1 || n > MaxOutputValues)
                throw new ZooException($"output '{output.Name}' declares shape {output.Shape}, more than {MaxOutputValues} values per image (or none)");
        }
        return ModelSignature.Reading([.. output.Dims.Skip(1).Select(d => d.Value!.Value)]).Dim;
    }

    private static float[]? LoadMeanImage(ModelManifest m)
    {
        if (m.MeanImage is null) return null;
        int hash = m.MeanImage.IndexOf('#');
        if (hash < 0) throw new ZooException($"mean_image '{m.MeanImage}' must name an initializer: file.onnx#Name");
        string file = m.MeanImage[..hash], name = m.MeanImage[(hash + 1)..];
        if (!File.Exists(file)) throw new ZooException($"mean image file not found: {file}");
        var (dims, data) = OnnxModelSurgery.ReadFloatInitializer(File.ReadAllBytes(file), name);
        int c = m.InputSize;
        if (data.Length != 3 * c * c)
            throw new ZooException($"mean image {name} has shape [{string.Join(',', dims)}], the model needs 3x{c}x{c}");
        return data;
    }
}
