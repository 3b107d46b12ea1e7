using System.Formats.Tar;
using System.Text;
using RobustCrop.Coordinator.Cluster;
using RobustCrop.Core.Results;
using RobustCrop.IO.Data;
using RobustCrop.IO.Storage;

namespace RobustCrop.Coordinator.Tests.Cluster;

public sealed class RunJobBackendTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "robustcrop-backend-" + Guid.NewGuid().ToString("N")[..12]);

    public RunJobBackendTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private string Tar(string name, int samples)
    {
        string path = Path.Combine(_root, "data", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = File.Create(path);
        using var writer = new TarWriter(file, TarEntryFormat.Pax);
        for (int i = 0; i < samples; i++)
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{i:D6}.jpg") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes($"jpeg-{i}")) });
        return path;
    }

    [Fact]
    public async Task Tars_that_fit_one_shard_each_plan_their_samples_as_the_total_not_zero()
    {
        Tar("00000.tar", 3);
        Tar("00001.tar", 4);
        var dataset = new WebDatasetTarDataset(Path.Combine(_root, "data"));
        var shards = dataset.PlanShards(100);
        Assert.All(shards, s => Assert.Equal(-1, s.Count));

        var backend = new RunJobBackend(dataset, shards, [], new LocalFolderStore(Path.Combine(_root, "out")), new RunLayout("r1"));
        var plan = await backend.PlanAsync(default);

        Assert.Equal(7, plan.TotalInputs);
        Assert.Equal(2, plan.ToDo.Length);
    }
}
