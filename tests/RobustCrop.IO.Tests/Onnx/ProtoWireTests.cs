using RobustCrop.IO.Onnx;

namespace RobustCrop.IO.Tests.Onnx;

public class ProtoWireTests
{
    [Fact]
    public void Varint150_matches_the_protobuf_spec_example()
    {
        var w = new ProtoWriter();
        w.WriteVarint(1, 150);
        Assert.Equal(new byte[] { 0x08, 0x96, 0x01 }, w.ToArray());
    }

    [Fact]
    public void String_matches_the_protobuf_spec_example()
    {
        var w = new ProtoWriter();
        w.WriteString(2, "testing");
        Assert.Equal(new byte[] { 0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67 }, w.ToArray());
    }

    [Fact]
    public void Negative_int64_takes_ten_bytes()
    {
        var w = new ProtoWriter();
        w.WriteVarint(1, -1);
        Assert.Equal(11, w.Length);
    }

    [Fact]
    public void Round_trip_all_wire_types()
    {
        var nested = new ProtoWriter();
        nested.WriteString(1, "inner");
        var w = new ProtoWriter(1);
        long[] varints = [0, 1, 127, 128, 300, long.MaxValue, -1, long.MinValue];
        foreach (long v in varints)
        {
            w.WriteVarint(3, v);
        }
        w.WriteFixed32(4, 0xDEADBEEF);
        w.WriteFloat(5, -2.5f);
        w.WriteFixed64(6, 0x0123456789ABCDEFUL);
        w.WriteString(7, "héllo");
        w.WriteMessage(8, nested);
        w.WritePackedFloats(9, [1.5f, -0f, float.MaxValue, 3e-8f]);
        w.WritePackedInt64s(10, [0, 200, -7, 1L << 40]);
        w.WriteBytes(536870911, [1, 2, 3]);

        var r = new ProtoReader(w.ToArray());
        foreach (long v in varints)
        {
            Assert.True(r.TryRead(out ProtoField f));
            Assert.Equal((3, WireType.Varint, v), (f.FieldNumber, f.WireType, f.Int64));
        }
        Assert.True(r.TryRead(out ProtoField f32));
        Assert.Equal((4, WireType.Fixed32, 0xDEADBEEFUL), (f32.FieldNumber, f32.WireType, f32.Scalar));
        Assert.True(r.TryRead(out ProtoField ff));
        Assert.Equal(-2.5f, ff.Float32);
        Assert.True(r.TryRead(out ProtoField f64));
        Assert.Equal((6, WireType.Fixed64, 0x0123456789ABCDEFUL), (f64.FieldNumber, f64.WireType, f64.Scalar));
        Assert.True(r.TryRead(out ProtoField fs));
        Assert.Equal("héllo", fs.String);
        Assert.True(r.TryRead(out ProtoField fm));
        var inner = new ProtoReader(fm.Payload);
        Assert.True(inner.TryRead(out ProtoField innerField));
        Assert.Equal("inner", innerField.String);
        Assert.False(inner.TryRead(out _));
        Assert.True(r.TryRead(out ProtoField fp));
        Assert.Equal(new[] { 1.5f, -0f, float.MaxValue, 3e-8f }, ProtoReader.ReadPackedFloats(fp.Payload));
        Assert.True(r.TryRead(out ProtoField fi));
        Assert.Equal(new[] { 0L, 200, -7, 1L << 40 }, ProtoReader.ReadPackedInt64s(fi.Payload));
        Assert.True(r.TryRead(out ProtoField fb));
        Assert.Equal(536870911, fb.FieldNumber);
        Assert.Equal(new byte[] { 1, 2, 3 }, fb.Payload.ToArray());
        Assert.False(r.TryRead(out _));
        Assert.True(r.End);
    }

    [Fact]
    public void Raw_field_copies_back_to_identical_bytes()
    {
        var w = new ProtoWriter();
        w.WriteVarint(1, 150);
        w.WriteString(2, "x");
        w.WriteFloat(3, 1f);
        byte[] original = w.ToArray();

        var copy = new ProtoWriter();
        var r = new ProtoReader(original);
        while (r.TryRead(out ProtoField f))
        {
            copy.WriteRaw(f.Raw);
        }
        Assert.Equal(original, copy.ToArray());
    }

    [Fact]
    public void Offsets_point_into_the_readers_span()
    {
        var w = new ProtoWriter();
        w.WriteVarint(1, 150);
        w.WriteString(2, "abc");
        byte[] data = w.ToArray();
        var r = new ProtoReader(data);
        Assert.True(r.TryRead(out ProtoField first));
        Assert.Equal(0, first.Offset);
        Assert.True(r.TryRead(out ProtoField second));
        Assert.Equal(3, second.Offset);
        Assert.Equal(5, second.PayloadOffset);
        Assert.Equal("abc"u8.ToArray(), data.AsSpan(second.PayloadOffset, 3).ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0x08 })]
    [InlineData(new byte[] { 0x12, 0x05, 0x61 })]
    [InlineData(new byte[] { 0x0D, 0x01, 0x02 })]
    [InlineData(new byte[] { 0x0B })]
    [InlineData(new byte[] { 0x00, 0x00 })]
    [InlineData(new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    public void Malformed_input_throws_invalid_data(byte[] data)
    {
        Assert.Throws<InvalidDataException>(() =>
        {
            var r = new ProtoReader(data);
            while (r.TryRead(out _))
            {
            }
        });
    }
}
