using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Tests.Storage;

public sealed class ResultStoreFactoryTests
{
    [Fact]
    public void A_local_path_opens_a_local_folder_store()
    {
        var store = Assert.IsType<LocalFolderStore>(ResultStoreFactory.Open("out/runs"));
        Assert.Equal(Path.GetFullPath("out/runs"), store.Root);
    }

    [Fact]
    public void A_file_uri_opens_the_folder_it_names()
    {
        var store = Assert.IsType<LocalFolderStore>(ResultStoreFactory.Open("file:///tmp/rc-out"));
        Assert.Equal("/tmp/rc-out", store.Root);
    }

    [Fact]
    public void Azure_is_left_to_the_worker_store_factory()
    {
        var ex = Assert.Throws<NotSupportedException>(() => ResultStoreFactory.Open("az://results/robustcrop"));
        Assert.Contains("StoreFactory", ex.Message);
    }

    [Fact]
    public void Other_schemes_are_refused()
        => Assert.Throws<NotSupportedException>(() => ResultStoreFactory.Open("s3://bucket/x"));
}
