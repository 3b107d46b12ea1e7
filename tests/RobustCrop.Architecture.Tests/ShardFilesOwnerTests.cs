using NetArchTest.Rules;

namespace RobustCrop.Architecture.Tests;

/// <summary>
/// A run's shard files have one owner in IO (<c>ShardFiles</c>) and zoo entries one selection (<c>ZooSelection</c>):
/// the coordinator's job backend reads and verifies manifests without a Worker type, so it could run on a node that
/// holds no inference code.
/// </summary>
public sealed class ShardFilesOwnerTests
{
    [Fact]
    public void The_coordinator_backend_verifies_shards_without_any_worker_type()
    {
        var result = Types.InAssembly(Layers.Coordinator).That().HaveName("RunJobBackend")
            .ShouldNot().HaveDependencyOn("RobustCrop.Worker").GetResult();
        Assert.True(result.IsSuccessful, "depends on RobustCrop.Worker: " + string.Join(", ", result.FailingTypeNames ?? []));
        Assert.Single(Types.InAssembly(Layers.Coordinator).That().HaveName("RunJobBackend").GetTypes());
    }

    [Fact]
    public void The_shard_files_and_the_zoo_selection_live_in_IO()
    {
        Assert.Single(Types.InAssembly(Layers.IO).That().HaveName("ShardFiles").GetTypes());
        Assert.Single(Types.InAssembly(Layers.IO).That().HaveName("ZooSelection").GetTypes());
        Assert.Empty(Types.InAssemblies(Layers.All).That().HaveName("ShardWriter").GetTypes());
    }
}
