using System.Formats.Tar;
using System.Security.Cryptography;
using RobustCrop.IO.Data;
using SkiaSharp;

namespace RobustCrop.Cli.Tests.Rehearsal;

/// <summary><c>rehearsal-data</c>: seeded, distinct, decodable JPEGs of 256–1024 px in img2dataset's layout.</summary>
public sealed class RehearsalDataCommandTests
{
    private static List<(string Name, byte[] Data)> Members(string tar)
    {
        var members = new List<(string, byte[])>();
        using var reader = new TarReader(File.OpenRead(tar));
        while (reader.GetNextEntry() is { } e)
        {
            using var buffer = new MemoryStream();
            e.DataStream?.CopyTo(buffer);
            members.Add((e.Name, buffer.ToArray()));
        }
        return members;
    }

    private static bool DecodesWhole(byte[] data)
    {
        using var codec = SKCodec.Create(new MemoryStream(data));
        if (codec is null) return false;
        using var bitmap = new SKBitmap(codec.Info);
        return codec.GetPixels(bitmap.Info, bitmap.GetPixels()) == SKCodecResult.Success;
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_bytes_and_every_sample_is_a_distinct_jpeg_of_256_to_1024_px()
    {
        using var tmp = new TempDir();
        string a = tmp.Sub("a"), b = tmp.Sub("b");
        var first = await CliHarness.RunAsync("rehearsal-data", "--images", "30", "--shard-size", "12", "--corrupt", "0", "--out", $"{a},{b}");
        Assert.True(first.ExitCode == 0, first.Err);
        Assert.Contains("rehearsal-data images=30 corrupt=0 shards=3 ", first.Out);
        string c = tmp.Sub("c");
        var again = await CliHarness.RunAsync("rehearsal-data", "--images", "30", "--shard-size", "12", "--corrupt", "0", "--out", c);
        Assert.True(again.ExitCode == 0, again.Err);
        string[] tars = [.. Directory.GetFiles(a, "*.tar").Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Assert.Equal(["00000.tar", "00001.tar", "00002.tar"], tars);
        var hashes = new HashSet<string>();
        foreach (string tar in tars)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, tar)), File.ReadAllBytes(Path.Combine(c, tar)));
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, tar)), File.ReadAllBytes(Path.Combine(b, tar)));
            var jpegs = Members(Path.Combine(a, tar)).Where(m => m.Name.EndsWith(".jpg", StringComparison.Ordinal)).ToList();
            Assert.Equal(Img2DatasetSidecar.LocalCount(Path.Combine(a, tar)), jpegs.Count);
            foreach (var (_, data) in jpegs)
            {
                hashes.Add(Convert.ToHexString(SHA256.HashData(data)));
                using var codec = SKCodec.Create(new MemoryStream(data));
                Assert.Equal(SKEncodedImageFormat.Jpeg, codec.EncodedFormat);
                Assert.InRange(codec.Info.Width, 256, 1024);
                Assert.InRange(codec.Info.Height, 256, 1024);
                Assert.True(DecodesWhole(data));
            }
        }
        Assert.Equal(30, hashes.Count);
    }

    [Fact]
    public async Task Corrupt_samples_are_not_decodable_and_a_zoo_of_the_feed_model_is_written()
    {
        using var tmp = new TempDir();
        var run = await CliHarness.RunAsync("rehearsal-data", "--images", "6", "--corrupt", "1", "--out", tmp.Sub("d"), "--zoo", tmp.Sub("zoo"));
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("corrupt=6 ", run.Out);
        foreach (var (_, data) in Members(Path.Combine(tmp.Path, "d", "00000.tar")).Where(m => m.Name.EndsWith(".jpg", StringComparison.Ordinal)))
            Assert.False(DecodesWhole(data));
        Assert.True(File.Exists(Path.Combine(tmp.Path, "zoo", "feed.onnx")));
        Assert.Contains("type: uint8", File.ReadAllText(Path.Combine(tmp.Path, "zoo", "zoo.yaml")));
    }
}
