using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Tests.Storage;

/// <summary>URI dispatch and validation; nothing here touches the network.</summary>
public sealed class StoreFactoryTests
{
    private const string SomeKey = "c29tZSBrZXkgdGhhdCBpcyBub3QgcmVhbA==";
    private const string Cs = "DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=" + SomeKey + ";BlobEndpoint=http://127.0.0.1:1/acct;";

    [Fact]
    public void A_local_path_or_file_uri_opens_a_local_folder_store()
    {
        Assert.Equal(Path.GetFullPath("out/runs"), Assert.IsType<LocalFolderStore>(StoreFactory.Open("out/runs", null)).Root);
        Assert.Equal("/tmp/rc-out", Assert.IsType<LocalFolderStore>(StoreFactory.Open("file:///tmp/rc-out", null)).Root);
    }

    [Fact]
    public void An_az_uri_opens_a_blob_store_on_its_container_and_prefix()
    {
        var store = Assert.IsType<AzureBlobStore>(StoreFactory.Open("az://results/team/robustcrop/", Cs));
        Assert.Equal("results", store.ContainerName);
        Assert.Equal("team/robustcrop/", store.Prefix);
        Assert.Equal("az://results/team/robustcrop", store.Describe());
        Assert.Equal("", Assert.IsType<AzureBlobStore>(StoreFactory.Open("az://results", Cs)).Prefix);
    }

    [Theory]
    [InlineData("az://")]
    [InlineData("az://ab")]
    [InlineData("az://Results/x")]
    [InlineData("az://re--sults/x")]
    [InlineData("az://-results/x")]
    [InlineData("az://results/a//b")]
    [InlineData("az://results/../b")]
    public void Malformed_az_uris_are_refused(string uri)
        => Assert.Throws<ArgumentException>(() => StoreFactory.Open(uri, Cs));

    [Fact]
    public void Other_schemes_are_refused()
        => Assert.Throws<NotSupportedException>(() => StoreFactory.Open("s3://bucket/x", null));

    [Fact]
    public void A_malformed_connection_string_is_refused_without_being_echoed()
    {
        const string bad = "AccountName=acct;AccountKey=%%%not-base64%%%;BlobEndpoint=http://127.0.0.1:1/acct";
        var ex = Assert.Throws<ArgumentException>(() => StoreFactory.Open("az://results/x", bad));
        Assert.DoesNotContain("not-base64", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        var garbage = Assert.Throws<ArgumentException>(() => StoreFactory.Open("az://results/x", "secret-garbage"));
        Assert.DoesNotContain("secret-garbage", garbage.Message);
    }

    [Fact]
    public void An_az_uri_without_any_connection_string_names_the_variable()
    {
        var ex = Assert.Throws<ArgumentException>(() => StoreFactory.Open("az://results/x", null, environment: _ => null));
        Assert.Contains(StoreFactory.ConnectionStringVariable, ex.Message);
    }

    [Theory]
    [InlineData("az://results/run-1", "az://results", "run-1")]
    [InlineData("az://results/team/x/run-1/", "az://results/team/x", "run-1")]
    [InlineData("/data/out/run-1", "/data/out", "run-1")]
    [InlineData("/data/out/run-1/", "/data/out", "run-1")]
    public void A_run_uri_splits_into_store_and_run_id(string uri, string store, string runId)
        => Assert.Equal((store, runId), StoreFactory.SplitRun(uri));

    [Fact]
    public void A_container_alone_is_not_a_run()
        => Assert.Throws<ArgumentException>(() => StoreFactory.SplitRun("az://results"));

    [Fact]
    public void Redact_removes_keys_and_signatures()
    {
        string s = StorageErrors.Redact($"x AccountKey={SomeKey}; y?sv=1&sig=abc%2Fdef&se=2 SharedAccessSignature=zzz");
        Assert.DoesNotContain(SomeKey, s);
        Assert.DoesNotContain("abc%2Fdef", s);
        Assert.DoesNotContain("zzz", s);
    }
}
