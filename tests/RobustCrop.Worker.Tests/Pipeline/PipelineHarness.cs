using RobustCrop.Core.Data;
using RobustCrop.Core.Results;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Models;
using RobustCrop.Core.Settings;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Pipeline;

namespace RobustCrop.Worker.Tests.Pipeline;

/// <summary>Wraps tiny ONNX graphs as zoo models and builds in-memory scenes for <see cref="ShardEvaluator"/>.</summary>
internal static class PipelineHarness
{
    /// <summary>Pixels map to about [-2, 2] so a linear head can favour any direction of colour space.</summary>
    public static PixelNormalization Centred { get; } = new(ChannelOrder.Rgb, 1f / 255f, [0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f]);

    public static EvaluatedModel Model(byte[] onnx, string id, int crop, int resize, ClassHead? head = null,
        OutputKind kind = OutputKind.Logits, PixelNormalization? norm = null)
    {
        norm ??= Centred;
        var manifest = new ModelManifest(id, $"memory:{id}", null, crop, resize, Interpolation.Bilinear, norm.Order, norm.Scale,
            [.. norm.Mean], [.. norm.Std], null, kind, null, null, 0);
        var session = OnnxSessionFactory.Create(onnx, new SessionSpec { Name = id, Threads = 1, ExpectedInputSize = crop, Normalization = norm });
        return new EvaluatedModel(manifest, session, norm, new OutputInterpreter(kind, session.OutputDim, head), session.ActiveDevice);
    }

    public static RgbImage Noise(int width, int height, Random random)
    {
        var pixels = new byte[width * height * 3];
        random.NextBytes(pixels);
        return new RgbImage(width, height, pixels);
    }

    public static RgbImage Constant(int width, int height, byte r, byte g, byte b)
    {
        var image = new RgbImage(width, height);
        for (int i = 0; i < image.Pixels.Length; i += 3) { image.Pixels[i] = r; image.Pixels[i + 1] = g; image.Pixels[i + 2] = b; }
        return image;
    }

    public static List<ImageRecord> NoiseRecords(int count, int width, int height, int seed, string? label = null)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => new ImageRecord($"noise/{i:D4}", label, null, Noise(width, height, random))).ToList();
    }

    public static ShardResult Run(IReadOnlyList<EvaluatedModel> models, RunSettings settings, IEnumerable<ImageRecord> records)
        => new ShardEvaluator(models, settings).EvaluateAsync(new DatasetShard(new ShardId(0), ShardSource.Of("memory"), 0, -1), records)
            .GetAwaiter().GetResult();

    public static ShardResult Run(EvaluatedModel model, RunSettings settings, IEnumerable<ImageRecord> records)
        => Run([model], settings, records);
}
