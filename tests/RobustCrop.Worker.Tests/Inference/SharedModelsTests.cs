using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Tests.Inference;

public sealed class SharedModelsTests
{
    private sealed class Loaded(string name) : IDisposable
    {
        public string Name { get; } = name;
        public int Disposals { get; private set; }
        public void Dispose() => Disposals++;
    }

    [Fact]
    public void Users_of_one_key_share_one_load_and_the_last_to_leave_disposes_it()
    {
        var shared = new SharedModels<string, Loaded>();
        int loads = 0;
        Loaded Load() { loads++; return new Loaded("resnet18"); }
        var a = shared.Acquire("resnet18", Load);
        var b = shared.Acquire("resnet18", Load);
        Assert.Same(a.Value, b.Value);
        Assert.Equal(1, loads);
        Assert.Equal(2, shared.UsersOf("resnet18"));

        a.Dispose();
        a.Dispose(); // a second release of the same hold counts once
        Assert.Equal(0, b.Value.Disposals);
        b.Dispose();
        Assert.Equal(1, b.Value.Disposals);
        Assert.Equal(0, shared.UsersOf("resnet18"));
        // Released: the next user loads again.
        using var c = shared.Acquire("resnet18", Load);
        Assert.Equal(2, loads);
        Assert.NotSame(b.Value, c.Value);
    }

    [Fact]
    public async Task Sixteen_workers_asking_at_once_wait_for_one_load()
    {
        var shared = new SharedModels<string, Loaded>();
        int loads = 0;
        using var start = new Barrier(16);
        // A thread each (not the pool, which a 2-core machine grows slowly while they block on the barrier).
        var handles = Enumerable.Range(0, 16).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            return shared.Acquire("m", () =>
            {
                Interlocked.Increment(ref loads);
                Thread.Sleep(200); // a load takes a while: the others arrive meanwhile
                return new Loaded("m");
            });
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        var held = await Task.WhenAll(handles);
        Assert.Equal(1, loads);
        Assert.Single(held.Select(h => h.Value).Distinct());
        foreach (var h in held) h.Dispose();
        Assert.Equal(1, held[0].Value.Disposals);
    }

    [Fact]
    public void Other_keys_load_their_own_and_a_failed_load_is_tried_again()
    {
        var shared = new SharedModels<string, Loaded>();
        using var cpu = shared.Acquire("m@cpu", () => new Loaded("cpu"));
        using var threads = shared.Acquire("m@cpu/2 threads", () => new Loaded("cpu2"));
        Assert.NotSame(cpu.Value, threads.Value);

        Assert.Throws<InvalidOperationException>(() => shared.Acquire("broken", () => throw new InvalidOperationException("model file not found")));
        Assert.Equal(0, shared.UsersOf("broken"));
        using var fixedNow = shared.Acquire("broken", () => new Loaded("fixed"));
        Assert.Equal("fixed", fixedNow.Value.Name);
    }
}
