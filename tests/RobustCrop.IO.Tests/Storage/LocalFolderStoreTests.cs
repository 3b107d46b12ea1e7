using System.Text;
using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Tests.Storage;

public sealed class LocalFolderStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rc-store-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderStore _store;

    public LocalFolderStoreTests() => _store = new LocalFolderStore(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root))
            Directory.Delete(_root, recursive: true);
    }

    private Task WriteTextAsync(string path, string text)
        => _store.WriteAsync(path, s => s.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask());

    private async Task<string> ReadTextAsync(string path)
    {
        await using var s = await _store.OpenReadAsync(path);
        using var reader = new StreamReader(s, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    private async Task<List<string>> ListAsync(string prefix)
    {
        var list = new List<string>();
        await foreach (var p in _store.ListAsync(prefix))
        {
            list.Add(p);
        }
        return list;
    }

    [Fact]
    public async Task The_probe_creates_a_missing_folder_and_leaves_nothing_in_it()
    {
        await _store.ProbeAsync(default);
        Assert.True(Directory.Exists(_root));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    [Fact]
    public async Task The_probe_leaves_the_probe_of_another_run_in_the_same_folder_alone()
    {
        // Another run's probe in flight: its file written, not yet renamed or deleted. Deleting every probe file made that
        // run fail its start at random (6 of 20 starts side by side).
        Directory.CreateDirectory(_root);
        string other = Path.Combine(_root, "_probe.tmp-0123456789abcdef0123456789abcdef");
        await File.WriteAllBytesAsync(other, [1]);
        await File.WriteAllBytesAsync(other + ".tmp-fedcba9876543210fedcba9876543210", [1]);

        await _store.ProbeAsync(default);

        Assert.True(File.Exists(other));
        Assert.True(File.Exists(other + ".tmp-fedcba9876543210fedcba9876543210"));
        Assert.Equal(2, Directory.EnumerateFiles(_root).Count());
    }

    [Fact]
    public async Task Twenty_runs_probing_one_folder_at_once_all_pass()
    {
        var stores = Enumerable.Range(0, 20).Select(_ => new LocalFolderStore(_root)).ToArray();
        await Task.WhenAll(stores.Select(s => Task.Run(() => s.ProbeAsync(default))));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    [Fact]
    public async Task The_probe_refuses_a_file_with_one_line()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_root)!);
        await File.WriteAllTextAsync(_root, "not a folder");
        try
        {
            var e = await Assert.ThrowsAsync<IOException>(() => _store.ProbeAsync(default));
            Assert.Equal($"--out {_root} is a file, not a folder", e.Message);
        }
        finally
        {
            File.Delete(_root);
        }
    }

    [Fact]
    public async Task The_probe_refuses_a_folder_with_too_little_free_space()
    {
        var e = await Assert.ThrowsAsync<IOException>(() => _store.ProbeAsync(default, minFreeBytes: long.MaxValue));
        Assert.Matches(@"^--out .+ has \d+ MiB free, under the \d+ MiB a run needs$", e.Message);
    }

    [Fact]
    public async Task The_probe_refuses_a_folder_below_a_file()
    {
        Directory.CreateDirectory(_root);
        await File.WriteAllTextAsync(Path.Combine(_root, "file"), "x");
        var e = await Assert.ThrowsAsync<IOException>(() => new LocalFolderStore(Path.Combine(_root, "file", "out")).ProbeAsync(default));
        Assert.StartsWith($"--out {Path.Combine(_root, "file", "out")} cannot be written: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task Written_file_can_be_read_back_and_exists()
    {
        await WriteTextAsync("run/a/b.json", "hello");
        Assert.True(await _store.ExistsAsync("run/a/b.json"));
        Assert.False(await _store.ExistsAsync("run/a/c.json"));
        Assert.Equal("hello", await ReadTextAsync("run/a/b.json"));
        Assert.True(File.Exists(Path.Combine(_root, "run", "a", "b.json")));
    }

    [Fact]
    public async Task A_writer_that_throws_leaves_no_file_and_no_temp_file()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => _store.WriteAsync("run/x.parquet", async s =>
        {
            await s.WriteAsync(new byte[1000]);
            throw new InvalidOperationException("disk on fire");
        }));

        Assert.Equal("disk on fire", ex.Message);
        Assert.False(await _store.ExistsAsync("run/x.parquet"));
        Assert.Empty(await ListAsync(""));
        Assert.Empty(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_failed_retry_keeps_the_earlier_complete_file()
    {
        await WriteTextAsync("run/x.json", "first");
        await Assert.ThrowsAsync<IOException>(() => _store.WriteAsync("run/x.json", async s =>
        {
            await s.WriteAsync("half"u8.ToArray());
            throw new IOException("lost");
        }));
        Assert.Equal("first", await ReadTextAsync("run/x.json"));
    }

    [Fact]
    public async Task A_retry_overwrites_instead_of_duplicating()
    {
        await WriteTextAsync("run/part-00007.parquet", "first attempt, longer content");
        await WriteTextAsync("run/part-00007.parquet", "second");

        Assert.Equal("second", await ReadTextAsync("run/part-00007.parquet"));
        Assert.Equal(["run/part-00007.parquet"], await ListAsync("run/"));
    }

    [Fact]
    public async Task Listing_is_sorted_filtered_by_prefix_and_uses_forward_slashes()
    {
        foreach (var p in new[] { "r/images/model=b/part-00002.parquet", "r/images/model=a/part-00010.parquet",
                     "r/images/model=a/part-00002.parquet", "r/errors/part-00001.parquet", "r/_SUCCESS", "other/x" })
        {
            await WriteTextAsync(p, p);
        }

        Assert.Equal(
            ["r/images/model=a/part-00002.parquet", "r/images/model=a/part-00010.parquet", "r/images/model=b/part-00002.parquet"],
            await ListAsync("r/images/"));
        Assert.Equal(["r/images/model=a/part-00002.parquet", "r/images/model=a/part-00010.parquet"], await ListAsync("r/images/model=a/part-0"));
        Assert.Equal(["r/_SUCCESS", "r/errors/part-00001.parquet", "r/images/model=a/part-00002.parquet",
            "r/images/model=a/part-00010.parquet", "r/images/model=b/part-00002.parquet"], await ListAsync("r/"));
        Assert.Equal(6, (await ListAsync("")).Count);
        Assert.Empty(await ListAsync("missing/"));
    }

    [Fact]
    public async Task Files_being_written_are_not_listed()
    {
        var listed = new List<string>();
        await _store.WriteAsync("r/a.json", async s =>
        {
            await s.WriteAsync("x"u8.ToArray());
            await s.FlushAsync();
            listed = await ListAsync("r/");
        });
        Assert.Empty(listed);
        Assert.Equal(["r/a.json"], await ListAsync("r/"));
    }

    [Fact]
    public async Task Delete_removes_and_tolerates_a_missing_file()
    {
        await WriteTextAsync("r/a.json", "x");
        await _store.DeleteAsync("r/a.json");
        Assert.False(await _store.ExistsAsync("r/a.json"));
        await _store.DeleteAsync("r/a.json");
    }

    [Fact]
    public async Task Opening_a_missing_file_throws_file_not_found()
        => await Assert.ThrowsAsync<FileNotFoundException>(() => _store.OpenReadAsync("r/none.json"));

    [Theory]
    [InlineData("../x")]
    [InlineData("a/../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    [InlineData("./a")]
    [InlineData("a\\b")]
    [InlineData("")]
    public async Task Paths_that_could_escape_or_are_ambiguous_are_rejected(string path)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.WriteAsync(path, _ => Task.CompletedTask));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.ExistsAsync(path));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.OpenReadAsync(path));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.DeleteAsync(path));
    }

    [Fact]
    public async Task A_listing_prefix_cannot_climb_out()
        => await Assert.ThrowsAsync<ArgumentException>(async () => await ListAsync("../"));

    [Fact]
    public void Describe_names_the_folder()
        => Assert.Equal($"local folder {Path.GetFullPath(_root)}", _store.Describe());
}
