using Microsoft.Extensions.Time.Testing;
using RobustCrop.Cluster.Hosting.Downing;

namespace RobustCrop.Cluster.Tests.Hosting.Downing;

public sealed class UnreachableDowningTests
{
    private const string A = "akka.tcp://robustcrop@10.0.0.7:4053", B = "akka.tcp://robustcrop@10.0.0.8:4053";
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void A_member_unreachable_for_stable_after_is_downed_once()
    {
        var downing = new UnreachableDowning(TimeSpan.FromSeconds(5), _clock);
        downing.BecameUnreachable(A);
        _clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Empty(downing.Due());
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal([A], downing.Due());
        // Its unreachable event may come again before it is removed: downed already, not again.
        downing.BecameUnreachable(A);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(downing.Due());
        // Removed, then a new process at the same address that goes away: downed again.
        downing.Removed(A);
        downing.BecameUnreachable(A);
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal([A], downing.Due());
    }

    [Fact]
    public void Reachable_again_in_time_starts_the_clock_over_and_members_are_timed_apart()
    {
        var downing = new UnreachableDowning(TimeSpan.FromSeconds(5), _clock);
        downing.BecameUnreachable(A);
        _clock.Advance(TimeSpan.FromSeconds(3));
        downing.BecameReachable(A); // a GC pause, not a death
        downing.BecameUnreachable(B);
        _clock.Advance(TimeSpan.FromSeconds(3));
        downing.BecameUnreachable(A);
        Assert.Empty(downing.Due());
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal([B], downing.Due());
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal([A], downing.Due());
    }

    [Fact]
    public void Many_workers_dying_at_once_are_all_downed_and_nobody_else()
    {
        // What the split-brain resolver got wrong under churn: dead workers that had marked each other unreachable
        // made it down every node. Here only what is unreachable goes, whatever the dead reported about each other.
        var downing = new UnreachableDowning(TimeSpan.FromSeconds(2), _clock);
        var dead = Enumerable.Range(0, 20).Select(i => $"akka.tcp://robustcrop@127.0.0.1:{40000 + i}").ToList();
        foreach (var d in dead) downing.BecameUnreachable(d);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(dead.Order(StringComparer.Ordinal), downing.Due());
        Assert.Empty(downing.Unreachable);
    }
}
