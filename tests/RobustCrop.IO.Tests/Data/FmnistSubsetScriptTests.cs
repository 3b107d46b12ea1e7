using System.Diagnostics;
using RobustCrop.IO.Data;

namespace RobustCrop.IO.Tests.Data;

/// <summary><c>scripts/fmnist-subset.sh</c>, the bench's Fashion-MNIST subsets: what it writes opens as the same images.</summary>
public sealed class FmnistSubsetScriptTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fmnist-subset-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int ExitCode, string Errors) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(RepoPaths.Root, "scripts", "fmnist-subset.sh"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string errors = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, errors);
    }

    [Fact]
    public void The_first_300_of_the_sample_open_as_its_first_300_images_with_their_labels()
    {
        string output = Path.Combine(_dir, "fashion-mnist");
        var (code, errors) = Run(Path.Combine(RepoPaths.Samples, "fashion-mnist"), output, "300");

        Assert.True(code == 0, errors);
        var subset = Assert.IsType<IdxDataset>(DatasetFactory.Open(output));
        var sample = (IdxDataset)DatasetFactory.Open(Path.Combine(RepoPaths.Samples, "fashion-mnist"));
        Assert.Equal(("fashion-mnist", "t10k", 300, 28, 28), (subset.Name, subset.Split, subset.Count, subset.Width, subset.Height));
        Assert.Equal(sample.ClassNames, subset.ClassNames);
        var got = subset.PlanShards(1000).SelectMany(subset.ReadShard).ToList();
        var expected = sample.PlanShards(1000).SelectMany(sample.ReadShard).Take(300).ToList();
        Assert.Equal(expected.Select(r => (r.Key, r.Label)), got.Select(r => (r.Key, r.Label)));
        Assert.All(got.Zip(expected), pair => Assert.Equal(pair.Second.Raw!.Pixels.ToArray(), pair.First.Raw!.Pixels.ToArray()));
    }

    [Fact]
    public void More_images_than_the_source_has_is_refused_with_one_line_and_writes_nothing()
    {
        string output = Path.Combine(_dir, "fashion-mnist");
        var (code, errors) = Run(Path.Combine(RepoPaths.Samples, "fashion-mnist"), output, "1001");

        Assert.Equal(2, code);
        Assert.Equal("fmnist-subset: " + Path.Combine(RepoPaths.Samples, "fashion-mnist") + " has 1000 t10k images, fewer than 1001", errors.Trim());
        Assert.False(Directory.Exists(output));
    }
}
