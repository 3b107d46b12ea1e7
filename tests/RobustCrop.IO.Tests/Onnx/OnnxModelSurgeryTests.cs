using RobustCrop.IO.Onnx;

namespace RobustCrop.IO.Tests.Onnx;

public class OnnxModelSurgeryTests
{
    private static byte[] FixedBatchModel() => new OnnxGraphBuilder()
        .AddInput("x", 1, 3, 4, 4)
        .AddOutput("y", 1, 3)
        .AddInitializer("w", [1, 3, 1, 1], [1f, 2f, 3f])
        .AddNode("Mul", ["x", "w"], ["xw"])
        .AddNode("ReduceMean", ["xw"], ["y"], OnnxAttribute.Ints("axes", 2, 3), OnnxAttribute.Int("keepdims", 0))
        .AddValueInfo("xw", 1, 3, 4, 4)
        .ToBytes();

    [Fact]
    public void Inspect_reads_builder_model()
    {
        OnnxModelInfo info = OnnxModelSurgery.Inspect(FixedBatchModel());
        Assert.Equal(7, info.IrVersion);
        Assert.Equal(13, info.OpsetVersion);
        Assert.Equal("RobustCrop.OnnxGraphBuilder", info.ProducerName);
        Assert.Equal("x[1,3,4,4]", Assert.Single(info.Inputs).ToString());
        Assert.Equal("y[1,3]", Assert.Single(info.Outputs).ToString());
        Assert.Equal(1, info.Inputs[0].ElementType);
        Assert.Equal(2, info.NodeCount);
        Assert.Equal(1, info.InitializerCount);
        Assert.Equal(1, info.ValueInfoCount);
    }

    [Fact]
    public void Builder_writes_symbolic_and_unknown_dims()
    {
        byte[] model = new OnnxGraphBuilder().AddInput("x", "batch", -1, 5).AddOutput("x", "batch", -1, 5).ToBytes();
        OnnxTensorInfo input = Assert.Single(OnnxModelSurgery.Inspect(model).Inputs);
        Assert.Equal([new OnnxDim(null, "batch"), OnnxDim.Unknown, new OnnxDim(5, null)], input.Dims);
        Assert.Equal("x[batch,?,5]", input.ToString());
    }

    [Fact]
    public void Make_batch_symbolic_changes_only_leading_dims_and_value_info()
    {
        byte[] before = FixedBatchModel();
        byte[] after = OnnxModelSurgery.MakeBatchSymbolic(before, "n");

        OnnxModelInfo info = OnnxModelSurgery.Inspect(after);
        Assert.Equal("x[n,3,4,4]", Assert.Single(info.Inputs).ToString());
        Assert.Equal("y[n,3]", Assert.Single(info.Outputs).ToString());
        Assert.Equal(0, info.ValueInfoCount);

        // Everything except the graph is copied verbatim, and inside the graph everything except IO and value_info.
        Assert.Equal(FieldsExcept(before, 7), FieldsExcept(after, 7));
        Assert.Equal(FieldsExcept(GraphOf(before), 11, 12, 13), FieldsExcept(GraphOf(after), 11, 12, 13));
        Assert.Equal(OnnxModelSurgery.ReadFloatInitializer(before, "w").Data, OnnxModelSurgery.ReadFloatInitializer(after, "w").Data);
    }

    [Fact]
    public void Make_batch_symbolic_is_idempotent()
    {
        byte[] once = OnnxModelSurgery.MakeBatchSymbolic(FixedBatchModel());
        Assert.Equal(once, OnnxModelSurgery.MakeBatchSymbolic(once));
    }

    [Fact]
    public void Make_batch_symbolic_leaves_initializer_inputs_alone()
    {
        // IR 3 files list weights among the graph inputs; their dim 0 is not a batch.
        byte[] model = new OnnxGraphBuilder()
            .AddInput("x", 1, 3)
            .AddInput("w", 7, 3)
            .AddInitializer("w", [7, 3], new float[21])
            .AddOutput("y", 1, 7)
            .ToBytes();
        byte[] after = OnnxModelSurgery.MakeBatchSymbolic(model);
        byte[][] inputs = FieldsOf(GraphOf(after), 11);
        Assert.Equal("x[batch,3]", OnnxModelSurgery.Inspect(after).Inputs.Single().ToString());
        Assert.Equal(FieldsOf(GraphOf(model), 11)[1], inputs[1]);
    }

    [Fact]
    public void Read_float_initializer_raw_data()
    {
        byte[] model = new OnnxGraphBuilder().AddInitializer("k", [2, 2], [1f, -2f, 3.5f, 1e-7f], rawData: true).ToBytes();
        (long[] dims, float[] data) = OnnxModelSurgery.ReadFloatInitializer(model, "k");
        Assert.Equal(new long[] { 2, 2 }, dims);
        Assert.Equal(new[] { 1f, -2f, 3.5f, 1e-7f }, data);
    }

    [Fact]
    public void Read_float_initializer_packed_float_data()
    {
        byte[] model = new OnnxGraphBuilder().AddInitializer("k", [3], [4f, 5f, 6f], rawData: false).ToBytes();
        Assert.Contains(FieldsOf(GraphOf(model), 5), t => FieldsOf(t, 4).Length == 1 && FieldsOf(t, 9).Length == 0);
        (long[] dims, float[] data) = OnnxModelSurgery.ReadFloatInitializer(model, "k");
        Assert.Equal(new long[] { 3 }, dims);
        Assert.Equal(new[] { 4f, 5f, 6f }, data);
    }

    [Fact]
    public void Read_float_initializer_unpacked_float_data_and_dims()
    {
        var tensor = new ProtoWriter();
        tensor.WriteVarint(1, 1);
        tensor.WriteVarint(1, 2);
        tensor.WriteVarint(2, 1);
        tensor.WriteFloat(4, 0.25f);
        tensor.WriteFloat(4, -8f);
        tensor.WriteString(8, "u");
        var graph = new ProtoWriter();
        graph.WriteMessage(5, tensor);
        var model = new ProtoWriter();
        model.WriteVarint(1, 3);
        model.WriteMessage(7, graph);

        (long[] dims, float[] data) = OnnxModelSurgery.ReadFloatInitializer(model.ToArray(), "u");
        Assert.Equal(new long[] { 1, 2 }, dims);
        Assert.Equal(new[] { 0.25f, -8f }, data);
    }

    [Fact]
    public void Read_float_initializer_missing_name_throws()
    {
        byte[] model = new OnnxGraphBuilder().AddInitializer("k", [1], [1f]).ToBytes();
        Assert.Throws<KeyNotFoundException>(() => OnnxModelSurgery.ReadFloatInitializer(model, "nope"));
    }

    [Fact]
    public void Gaussian_kernel_known_values()
    {
        float[] k = OnnxModelSurgery.GaussianKernel(1f, 1);
        double e = Math.Exp(-0.5);
        double s = 1 + 2 * e;
        Assert.Equal(9, k.Length);
        Assert.Equal(1.0 / (s * s), k[4], 6);
        Assert.Equal(e / (s * s), k[1], 6);
        Assert.Equal(e * e / (s * s), k[0], 6);
        Assert.Equal(1.0, k.Sum(x => (double)x), 6);
        Assert.Equal(3, OnnxModelSurgery.DefaultRadius(1f));
        Assert.Equal(1, OnnxModelSurgery.DefaultRadius(0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxModelSurgery.GaussianKernel(0f, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxModelSurgery.GaussianKernel(1f, 0));
    }

    [Fact]
    public void Prepend_gaussian_low_pass_inserts_depthwise_conv_before_consumers()
    {
        byte[] before = OnnxModelSurgery.MakeBatchSymbolic(FixedBatchModel());
        byte[] after = OnnxModelSurgery.PrependGaussianLowPass(before, 1.5f, 2);

        OnnxModelInfo a = OnnxModelSurgery.Inspect(after);
        OnnxModelInfo b = OnnxModelSurgery.Inspect(before);
        Assert.Equal(b.Inputs, a.Inputs, TensorInfoEquals);
        Assert.Equal(b.Outputs, a.Outputs, TensorInfoEquals);
        Assert.Equal(b.NodeCount + 1, a.NodeCount);

        byte[][] nodes = FieldsOf(GraphOf(after), 1);
        Assert.Equal("Conv", Strings(nodes[0], 4).Single());
        Assert.Equal(new[] { "x", "x_lowpass_kernel" }, Strings(nodes[0], 1));
        Assert.Equal(new[] { "x_lowpassed" }, Strings(nodes[0], 2));
        Assert.Equal(new[] { "x_lowpassed", "w" }, Strings(nodes[1], 1));

        (long[] dims, float[] kernel) = OnnxModelSurgery.ReadFloatInitializer(after, "x_lowpass_kernel");
        Assert.Equal(new long[] { 3, 1, 5, 5 }, dims);
        float[] expected = OnnxModelSurgery.GaussianKernel(1.5f, 2);
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(expected, kernel.AsSpan(c * 25, 25).ToArray());
        }
    }

    private static bool TensorInfoEquals(OnnxTensorInfo x, OnnxTensorInfo y) =>
        x.Name == y.Name && x.ElementType == y.ElementType && x.Dims.SequenceEqual(y.Dims);

    private static byte[] GraphOf(byte[] model) => FieldsOf(model, 7).Single();

    private static byte[][] FieldsOf(byte[] message, int field)
    {
        var list = new List<byte[]>();
        var r = new ProtoReader(message);
        while (r.TryRead(out ProtoField f))
        {
            if (f.FieldNumber == field)
            {
                list.Add(f.WireType == WireType.LengthDelimited ? f.Payload.ToArray() : f.Raw.ToArray());
            }
        }
        return list.ToArray();
    }

    private static string[] Strings(byte[] message, int field) =>
        FieldsOf(message, field).Select(b => System.Text.Encoding.UTF8.GetString(b)).ToArray();

    private static byte[] FieldsExcept(byte[] message, params int[] skip)
    {
        var w = new ProtoWriter();
        var r = new ProtoReader(message);
        while (r.TryRead(out ProtoField f))
        {
            if (!skip.Contains(f.FieldNumber))
            {
                w.WriteRaw(f.Raw);
            }
        }
        return w.ToArray();
    }
}
