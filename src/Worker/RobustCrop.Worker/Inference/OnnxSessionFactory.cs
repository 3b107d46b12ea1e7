using RobustCrop.Core.Imaging;
using RobustCrop.IO.Onnx;

namespace RobustCrop.Worker.Inference;

/// <summary>Loads a model file, applies the graph rewrites every run needs, and opens the session.</summary>
/// <remarks>
/// Models of any size: a model whose weights are external data (<c>model.onnx</c> + <c>model.onnx.data</c>, how exporters
/// write everything over the 2 GB protobuf limit) is read as its small graph file only; the rewrites touch the graph and
/// copy the initializer references byte for byte, and ONNX Runtime reads the weights natively from the model's folder.
/// The managed memory a load takes is therefore independent of the weights' size (a test measures it).
/// </remarks>
public static class OnnxSessionFactory
{
    /// <summary>Loads a model file (its external data read from beside it), rewrites its graph and opens the session.</summary>
    public static OnnxSession Load(string path, SessionSpec spec)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(spec);
        byte[] bytes = ReadGraphFile(path);
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return Create(bytes, spec with { Name = spec.Name ?? path }, folder);
    }

    /// <summary>As <see cref="Load"/>, for model bytes already in memory; the spec's name (else "model") appears in errors.</summary>
    /// <param name="folder">Where external data files are looked up; null: the model must have none.</param>
    public static OnnxSession Create(byte[] model, SessionSpec spec, string? folder = null)
    {
        var prepared = Prepare(model, spec, folder);
        var io = spec.Io;
        byte[] fed;
        try
        {
            // Last, so its nodes come first: the low-pass (and the model) see the normalised floats they always saw.
            // A uint8 model already takes the crop bytes the worker feeds: nothing to prepend.
            fed = io.Type == InputElementType.UInt8 ? prepared.Model : OnnxNormalizationSurgery.Prepend(prepared.Model, InGraph(spec.Normalization), io.Layout == TensorLayout.Nhwc, io.Type == InputElementType.Float16);
        }
        catch (InvalidDataException ex)
        {
            throw new ModelLoadException($"model {prepared.Name} is not a valid ONNX file: {SessionBuilder.FirstLine(ex.Message)}", ex);
        }
        return new OnnxSession(fed, prepared.Signature, spec.Device, spec.Threads, spec.MaxBatch, prepared.Name, io.Pool, prepared.ExternalDataFolder);
    }

    /// <summary>
    /// Every rewrite but the normalisation (batch made symbolic, the optional low-pass) and the one check of the graph's
    /// input and output against the spec. <see cref="Create"/> then prepends the normalisation; the tests' float oracle
    /// opens this graph as it is and feeds it floats normalised on the CPU.
    /// </summary>
    public static PreparedGraph Prepare(byte[] model, SessionSpec spec, string? folder = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(spec);
        var (io, name, lowPassSigma) = (spec.Io, spec.Name ?? "model", spec.LowPassSigma);
        if (lowPassSigma is float s && (!(s > 0) || float.IsInfinity(s)))
        {
            throw new ArgumentOutOfRangeException(nameof(spec), s, "low-pass sigma must be positive and finite");
        }
        if (spec.ExpectedInputSize is int e) ArgumentOutOfRangeException.ThrowIfLessThan(e, 1, nameof(spec));
        if (lowPassSigma is not null && (io.Layout != TensorLayout.Nchw || io.Type != InputElementType.Float32))
        {
            throw new ModelLoadException($"model {name}: lowpass needs an nchw float32 input");
        }
        try
        {
            bool external = CheckExternalData(model, name, folder);
            // Always: exporters pin batch 1 in the graph, and the rewrite is a no-op for symbolic models.
            byte[] rewritten = OnnxModelSurgery.MakeBatchSymbolic(model);
            if (lowPassSigma is float sigma)
            {
                rewritten = OnnxModelSurgery.PrependGaussianLowPass(rewritten, sigma, spec.LowPassRadius ?? OnnxModelSurgery.DefaultRadius(sigma));
            }
            var (input, output) = ModelSignature.Check(OnnxModelSurgery.Inspect(rewritten), spec.ExpectedInputSize, io, name);
            var signature = ModelSignature.Feed(input, output, spec.ExpectedInputSize, io.Layout, name);
            return new PreparedGraph(rewritten, signature, name, external ? folder : null);
        }
        catch (InvalidDataException ex)
        {
            throw new ModelLoadException($"model {name} is not a valid ONNX file: {SessionBuilder.FirstLine(ex.Message)}", ex);
        }
    }

    private static InGraphNormalization InGraph(PixelNormalization n) =>
        new(n.Order == ChannelOrder.Bgr, n.Scale, [.. n.Mean], [.. n.Std], n.MeanImage is { } m ? [.. m] : null);

    /// <summary>
    /// Checks a model file without creating a session (seconds for a large model): it exists, parses as ONNX, its external
    /// data files are there, and its input and output fit the manifest. A coordinator calls this before any worker loads it.
    /// </summary>
    /// <param name="name">Names the model in errors; default its path.</param>
    public static OnnxModelInfo Validate(string path, int? expectedInputSize, ModelIo? io = null, string? name = null)
    {
        byte[] bytes = ReadGraphFile(path);
        name ??= path;
        try
        {
            CheckExternalData(bytes, name, Path.GetDirectoryName(Path.GetFullPath(path)));
            var info = OnnxModelSurgery.Inspect(bytes);
            ModelSignature.Check(info, expectedInputSize, io ?? ModelIo.Default, name);
            return info;
        }
        catch (InvalidDataException ex)
        {
            throw new ModelLoadException($"model {name} is not a valid ONNX file: {SessionBuilder.FirstLine(ex.Message)}", ex);
        }
    }

    // The graph only: weights stay in the file (embedded raw_data becomes a reference to the file itself, see
    // OnnxGraphFile), so what is read and rewritten here is kilobytes for a model of any size.
    private static byte[] ReadGraphFile(string path)
    {
        if (!File.Exists(path)) throw new ModelLoadException($"model file not found: {path}");
        try
        {
            return OnnxGraphFile.ReadGraph(path);
        }
        catch (InvalidDataException ex)
        {
            throw new ModelLoadException($"model {path} is not a valid ONNX file: {SessionBuilder.FirstLine(ex.Message)}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException($"model {path} could not be read: {SessionBuilder.FirstLine(ex.Message)}", ex);
        }
    }

    /// <summary>Whether the model keeps initializers as external data; throws a one-line error when a file is missing.</summary>
    private static bool CheckExternalData(byte[] model, string name, string? folder)
    {
        var references = OnnxExternalData.References(model);
        if (references.Count == 0) return false;
        if (folder is null) throw new ModelLoadException($"model {name}: keeps its weights as external data, so it must be loaded from its file");
        if (OnnxExternalData.FirstProblem(references, folder) is string problem) throw new ModelLoadException($"model {name}: {problem}");
        return true;
    }
}

/// <summary>A model's graph rewritten for a run, before its normalisation, with what its session needs to know of it.</summary>
/// <param name="ExternalDataFolder">Where its external initializers live; null when it has none.</param>
public sealed record PreparedGraph(byte[] Model, SessionSignature Signature, string Name, string? ExternalDataFolder);
