using RobustCrop.IO.Onnx;

namespace RobustCrop.Worker.Inference;

/// <summary>Loads a model file, applies the graph rewrites every run needs, and opens the session.</summary>
public static class OnnxSessionFactory
{
    /// <param name="lowPassSigma">When set, a Gaussian of this sigma (radius <paramref name="lowPassRadius"/>, default ceil(3 sigma)) blurs the input inside the model.</param>
    public static OnnxSession Load(
        string path,
        DeviceSpec device,
        int threads,
        float? lowPassSigma,
        int? expectedInputSize = null,
        int maxBatch = OnnxSession.DefaultMaxBatch,
        int? lowPassRadius = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new ModelLoadException($"model file not found: {path}");
        }
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException($"model {path} could not be read: {OnnxSession.FirstLine(ex.Message)}", ex);
        }
        return Create(bytes, path, device, threads, lowPassSigma, expectedInputSize, maxBatch, lowPassRadius);
    }

    /// <summary>As <see cref="Load"/>, for model bytes already in memory; <paramref name="name"/> appears in errors.</summary>
    public static OnnxSession Create(
        byte[] model,
        string name,
        DeviceSpec device,
        int threads,
        float? lowPassSigma,
        int? expectedInputSize = null,
        int maxBatch = OnnxSession.DefaultMaxBatch,
        int? lowPassRadius = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (lowPassSigma is float s && (!(s > 0) || float.IsInfinity(s)))
        {
            throw new ArgumentOutOfRangeException(nameof(lowPassSigma), s, "low-pass sigma must be positive and finite");
        }
        byte[] rewritten;
        try
        {
            // Always: exporters pin batch 1 in the graph, and the rewrite is a no-op for symbolic models.
            rewritten = OnnxModelSurgery.MakeBatchSymbolic(model);
            if (lowPassSigma is float sigma)
            {
                rewritten = OnnxModelSurgery.PrependGaussianLowPass(rewritten, sigma, lowPassRadius ?? OnnxModelSurgery.DefaultRadius(sigma));
            }
            CheckDeclaredSize(OnnxModelSurgery.Inspect(rewritten), expectedInputSize, name);
        }
        catch (InvalidDataException ex)
        {
            throw new ModelLoadException($"model {name} is not a valid ONNX file: {OnnxSession.FirstLine(ex.Message)}", ex);
        }
        return new OnnxSession(rewritten, device, threads, maxBatch, expectedInputSize, name);
    }

    /// <summary>
    /// Checks a model file without creating a session (seconds for a large model): it exists, parses as ONNX, and
    /// declares the expected input size. A coordinator calls this before any worker loads the model.
    /// </summary>
    public static OnnxModelInfo Validate(string path, int? expectedInputSize)
    {
        if (!File.Exists(path)) throw new ModelLoadException($"model file not found: {path}");
        try
        {
            var info = OnnxModelSurgery.Inspect(File.ReadAllBytes(path));
            CheckDeclaredSize(info, expectedInputSize, path);
            return info;
        }
        catch (InvalidDataException ex)
        {
            throw new ModelLoadException($"model {path} is not a valid ONNX file: {OnnxSession.FirstLine(ex.Message)}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException($"model {path} could not be read: {OnnxSession.FirstLine(ex.Message)}", ex);
        }
    }

    // Creating a session for a large model takes seconds; a wrong manifest size is visible in the file already.
    private static void CheckDeclaredSize(OnnxModelInfo info, int? expectedInputSize, string name)
    {
        if (expectedInputSize is int expected
            && info.Inputs.Count == 1
            && info.Inputs[0].Dims is [_, { Value: 3 }, { Value: long h }, { Value: long w }]
            && h == w
            && h != expected)
        {
            throw new ModelLoadException($"model {name}: input is 3x{h}x{w}, manifest says {expected}");
        }
    }
}
