using RobustCrop.IO.Onnx;

namespace RobustCrop.IO.Tests.Onnx;

public class OnnxNormalizationSurgeryTests
{
    private static readonly InGraphNormalization Bgr = new(true, 2f, [10f, 20f, 30f], [2f, 4f, 8f]);

    private static byte[] Model(string consumerInput = "x") => OnnxModelSurgery.MakeBatchSymbolic(new OnnxGraphBuilder()
        .AddInput("x", 1, 3, 4, 4)
        .AddOutput("y", 1, 3)
        .AddInitializer("w", [1, 3, 1, 1], [1f, 2f, 3f])
        .AddNode("Mul", [consumerInput, "w"], ["xw"])
        .AddNode("ReduceMean", ["xw"], ["y"], OnnxAttribute.Ints("axes", 2, 3), OnnxAttribute.Int("keepdims", 0))
        .ToBytes());

    [Fact]
    public void Input_becomes_uint8_hwc_and_the_nodes_run_in_order_before_the_old_consumers()
    {
        byte[] before = Model();
        byte[] after = OnnxNormalizationSurgery.Prepend(before, Bgr, nhwc: false, float16: false);

        OnnxModelInfo a = OnnxModelSurgery.Inspect(after);
        OnnxTensorInfo input = Assert.Single(a.Inputs);
        Assert.Equal("x[batch,4,4,3]", input.ToString());
        Assert.Equal(2, input.ElementType); // TensorProto.UINT8
        Assert.Equal(OnnxModelSurgery.Inspect(before).Outputs.Single().ToString(), a.Outputs.Single().ToString());

        byte[][] nodes = FieldsOf(FieldsOf(after, 7).Single(), 1);
        Assert.Equal(["Cast", "Transpose", "Gather", "Mul", "Sub", "Mul", "ReduceMean"], nodes.Select(n => Strings(n, 4).Single()));
        // Each new node reads the previous one's output; the old consumer reads the last.
        for (int i = 1; i <= 5; i++) Assert.Equal(Strings(nodes[i - 1], 2).Single(), Strings(nodes[i], 1)[0]);
        Assert.Equal("x", Strings(nodes[0], 1).Single());
        Assert.Equal(new[] { "x_centred", "w" }, Strings(nodes[5], 1));

        // The crop writer's constants: Scale/std and mean/std per model channel, shaped to broadcast over NCHW.
        (long[] dims, float[] scale) = OnnxModelSurgery.ReadFloatInitializer(after, "x_scale");
        Assert.Equal(new long[] { 1, 3, 1, 1 }, dims);
        Assert.Equal([1f, 0.5f, 0.25f], scale);
        Assert.Equal([5f, 5f, 3.75f], OnnxModelSurgery.ReadFloatInitializer(after, "x_offset").Data);
    }

    [Fact]
    public void Nhwc_float16_with_a_mean_image_skips_the_transpose_and_lays_the_mean_image_out_hwc()
    {
        byte[] model = OnnxModelSurgery.MakeBatchSymbolic(new OnnxGraphBuilder()
            .AddHalfInput("x", 1, 2, 2, 3)
            .AddOutput("y", 1, 12)
            .AddNode("Cast", ["x"], ["wide"], OnnxAttribute.Int("to", 1))
            .AddNode("Flatten", ["wide"], ["y"], OnnxAttribute.Int("axis", 1))
            .ToBytes());
        float[] meanImage = [.. Enumerable.Range(0, 12).Select(i => (float)i)]; // CHW: channel c, pixel p = 4c + p
        var norm = new InGraphNormalization(false, 1f, [0f, 0f, 0f], [1f, 2f, 4f], meanImage);
        byte[] after = OnnxNormalizationSurgery.Prepend(model, norm, nhwc: true, float16: true);

        Assert.Equal("x[batch,2,2,3]", OnnxModelSurgery.Inspect(after).Inputs.Single().ToString());
        byte[][] nodes = FieldsOf(FieldsOf(after, 7).Single(), 1);
        Assert.Equal(["Cast", "Mul", "Sub", "Sub", "Cast", "Cast", "Flatten"], nodes.Select(n => Strings(n, 4).Single()));
        (long[] dims, float[] scaled) = OnnxModelSurgery.ReadFloatInitializer(after, "x_mean_image");
        Assert.Equal(new long[] { 1, 2, 2, 3 }, dims);
        // HWC: pixel p, channel c at 3p + c holds meanImage[4c + p] / std[c].
        Assert.Equal([0f, 2f, 2f, 1f, 2.5f, 2.25f, 2f, 3f, 2.5f, 3f, 3.5f, 2.75f], scaled);
        Assert.Equal(new long[] { 1, 1, 1, 3 }, OnnxModelSurgery.ReadFloatInitializer(after, "x_scale").Dims);
    }

    [Fact]
    public void Stacked_on_the_low_pass_the_normalisation_runs_first()
    {
        byte[] blurred = OnnxModelSurgery.PrependGaussianLowPass(Model(), 1f, 1);
        byte[] after = OnnxNormalizationSurgery.Prepend(blurred, Bgr, nhwc: false, float16: false);
        byte[][] nodes = FieldsOf(FieldsOf(after, 7).Single(), 1);
        Assert.Equal(["Cast", "Transpose", "Gather", "Mul", "Sub", "Conv", "Mul", "ReduceMean"], nodes.Select(n => Strings(n, 4).Single()));
        Assert.Equal(new[] { "x_centred", "x_lowpass_kernel" }, Strings(nodes[5], 1));
    }

    [Fact]
    public void New_names_avoid_the_graphs_own()
    {
        // A model with a tensor already called x_as_float.
        byte[] model = OnnxModelSurgery.MakeBatchSymbolic(new OnnxGraphBuilder()
            .AddInput("x", 1, 3, 4, 4)
            .AddOutput("y", 1, 3, 4, 4)
            .AddNode("Identity", ["x"], ["x_as_float"])
            .AddNode("Identity", ["x_as_float"], ["y"])
            .ToBytes());
        byte[] after = OnnxNormalizationSurgery.Prepend(model, Bgr, nhwc: false, float16: false);
        byte[][] nodes = FieldsOf(FieldsOf(after, 7).Single(), 1);
        Assert.Equal("x_as_float_1", Strings(nodes[0], 2).Single());
        Assert.Equal("x_centred", Strings(nodes[5], 1).Single());
        Assert.Equal("x_as_float", Strings(nodes[6], 1).Single());
    }

    [Fact]
    public void Inputs_without_three_channels_or_a_mismatched_mean_image_are_refused()
    {
        byte[] grey = new OnnxGraphBuilder().AddInput("x", 1, 1, 4, 4).AddOutput("y", 1, 1, 4, 4).AddNode("Identity", ["x"], ["y"]).ToBytes();
        Assert.Throws<InvalidDataException>(() => OnnxNormalizationSurgery.Prepend(grey, Bgr, nhwc: false, float16: false));
        var wrongSize = Bgr with { MeanImage = new float[3 * 9] };
        Assert.Throws<InvalidDataException>(() => OnnxNormalizationSurgery.Prepend(Model(), wrongSize, nhwc: false, float16: false));
    }

    private static byte[][] FieldsOf(byte[] message, int field)
    {
        var list = new List<byte[]>();
        var r = new ProtoReader(message);
        while (r.TryRead(out ProtoField f))
        {
            if (f.FieldNumber == field) list.Add(f.WireType == WireType.LengthDelimited ? f.Payload.ToArray() : f.Raw.ToArray());
        }
        return [.. list];
    }

    private static string[] Strings(byte[] message, int field) =>
        [.. FieldsOf(message, field).Select(b => System.Text.Encoding.UTF8.GetString(b))];
}
