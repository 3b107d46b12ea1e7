using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Metrics;
using RobustCrop.Core.Rics;
using RobustCrop.IO.Imaging;
using RobustCrop.Worker.Tests.Pipeline;

namespace RobustCrop.Worker.Tests.Rics;

/// <summary>
/// Cyclic RICS with the real ResNet18: every integer cyclic roll of a real photo crop must map to the identical canonical
/// image, bit for bit, and so to the identical prediction — checked by running the model on each canonical image.
/// </summary>
[Trait("Category", "Slow")]
public class CyclicRicsResNet18Tests(ShippedResNet18Fixture fixture) : IClassFixture<ShippedResNet18Fixture>
{
    private const int C = 224;

    [Fact]
    public void Every_roll_of_real_photos_gives_one_canonical_image_and_one_prediction()
    {
        // All 224 rolls along x of one photo, and 100 two-dimensional rolls of another: 324 inputs.
        var cases = new List<(string Photo, int Rx, int Ry)>();
        for (int rx = 0; rx < C; rx++) cases.Add(("astronaut.png", rx, 0));
        var rng = new Random(2024);
        for (int i = 0; i < 100; i++) cases.Add(("coffee.png", rng.Next(-C, C), rng.Next(-C, C)));
        Assert.True(cases.Count >= 200);

        foreach (var group in cases.GroupBy(c => c.Photo))
        {
            var scene = Scene(group.Key);
            var g = new SceneGeometry(scene.Width, scene.Height, 256, C);
            var inputs = group.Select(c =>
            {
                var (cx, cy) = CyclicCanonicalizer.Canonicalize(scene, g.Base, C, c.Rx, c.Ry);
                // The crop as the worker feeds it: raw bytes, normalised inside the graph (the fixture loads it so).
                var tensor = new byte[3 * C * C];
                CropBytes.WriteRolled(scene, g.BaseX, g.BaseY, C, cx, cy, tensor);
                return tensor;
            }).ToList();

            // Bit-for-bit identical model inputs.
            foreach (var t in inputs) Assert.True(inputs[0].AsSpan().SequenceEqual(t), $"{group.Key}: canonical images differ");

            // And the model, run on every one of them in batches, answers identically.
            var predictions = Predict(inputs);
            Assert.Single(predictions.Select(p => p.Class).Distinct());
            Assert.All(predictions, p => Assert.Equal(predictions[0].Vector, p.Vector));
        }
    }

    [Fact]
    public void A_natural_photo_mostly_stays_unrolled_so_accuracy_is_the_models_own()
    {
        // The wrap-around seam of an unshifted natural crop is its strongest discontinuity in most photos.
        string[] photos = ["astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "camera.png", "coins.png"];
        int identity = photos.Count(p =>
        {
            var scene = Scene(p);
            var g = new SceneGeometry(scene.Width, scene.Height, 256, C);
            return CyclicCanonicalizer.Canonicalize(scene, g.Base, C, 0, 0) == (0, 0);
        });
        Assert.True(identity >= photos.Length / 2, $"only {identity} of {photos.Length} natural crops stayed unrolled");
    }

    private List<(int Class, float[] Vector)> Predict(List<byte[]> inputs)
    {
        var model = fixture.Model;
        int d = model.Inference.OutputDimension, batch = 32;
        var outputs = new CropOutputs(inputs.Count, model.Interpreter.VectorDimension, hasClasses: true);
        var buffer = new byte[batch * 3 * C * C];
        var raw = new float[batch * d];
        var scratch = new float[model.Interpreter.ClassCount];
        for (int start = 0; start < inputs.Count; start += batch)
        {
            int n = Math.Min(batch, inputs.Count - start);
            for (int i = 0; i < n; i++) inputs[start + i].CopyTo(buffer, i * 3 * C * C);
            model.Inference.Run(buffer.AsSpan(0, n * 3 * C * C), n, raw.AsSpan(0, n * d));
            for (int i = 0; i < n; i++) model.Interpreter.Interpret(raw.AsSpan(i * d, d), outputs, start + i, scratch);
        }
        return Enumerable.Range(0, inputs.Count).Select(i => (outputs.Predictions![i], outputs.Vector(i).ToArray())).ToList();
    }

    private RgbImage Scene(string photo)
    {
        var decoded = ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(fixture.Root, "samples", "photos", photo)), DecodeLimits.Default);
        Assert.NotNull(decoded.Image);
        return SceneResizer.ResizeShorterSide(decoded.Image, 256, Interpolation.Bilinear);
    }
}
