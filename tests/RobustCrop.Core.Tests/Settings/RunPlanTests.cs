using System.Collections.Immutable;
using RobustCrop.Core.Data;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;

namespace RobustCrop.Core.Tests.Settings;

public sealed class RunPlanTests
{
    private static readonly RunPlan Stored = new("/d/photos", "photos", 256, 5, ["resnet18", "resnet18-blur"], 0.99, 2, "none", false,
        40_000_000, 1, 5);

    [Fact]
    public void The_same_plan_has_no_difference_whatever_the_model_order()
        => Assert.Empty(Stored.Differences(Stored with { Models = ["resnet18-blur", "resnet18"] }));

    [Fact]
    public void Each_difference_names_the_option_with_its_stored_and_new_value()
    {
        var d = Stored.Differences(Stored with { Data = "/d/fashion-mnist", ShardSize = 128, Limit = 0, Models = ["resnet18"], Tau = 0.95 });
        Assert.Equal(["--data /d/photos → /d/fashion-mnist", "--shard-size 256 → 128", "--limit 5 → 0", "--model resnet18,resnet18-blur → resnet18", "--tau 0.99 → 0.95"], d.ToArray());
    }

    [Fact]
    public void The_same_options_over_changed_data_differ_by_the_shards_planned()
        => Assert.Equal(["shards planned 1 → 2"], Stored.Differences(Stored with { Shards = 2 }).ToArray());

    [Fact]
    public void The_plan_of_run_settings_records_what_defines_the_rows()
    {
        var run = new RunSettings(new RunId("r")) { Data = "x", Limit = 7, ShardSize = 3, Tau = 0.9, WindowK = 1, KeepEmbeddings = true };
        var plan = RunPlan.Of(run, "/abs/x", "x", ["m"], 3, 7);
        Assert.Equal((7, 3, 0.9, 1, true, "none", 3, 7L), (plan.Limit, plan.ShardSize, plan.Tau, plan.WindowK, plan.KeepEmbeddings, plan.Rics, plan.Shards, plan.Inputs));
        var withRics = RunPlan.Of(run with { Rics = RicsSelection.Of([9, 15], [RicsScore.Hash], cyclic: true) }, "/abs/x", "x", ["m"], 3, 7);
        Assert.NotEqual(plan.Rics, withRics.Rics);
        Assert.Contains("--rics", Assert.Single(plan.Differences(withRics)));
    }

    [Fact]
    public void A_changed_zoo_entry_or_model_file_under_the_same_id_is_named()
    {
        var stored = Stored with { ModelFingerprints = ImmutableSortedDictionary<string, ModelFingerprint>.Empty.Add("resnet18", new("m1", "f1")) };
        // resize 256 → 240 under the same model id resumed silently ("1 shard already done was skipped", exit 0).
        Assert.Equal(["model resnet18: its zoo entry changed"],
            stored.Differences(stored with { ModelFingerprints = ImmutableSortedDictionary<string, ModelFingerprint>.Empty.Add("resnet18", new("m2", "f1")) }).ToArray());
        Assert.Equal(["model resnet18: its model file changed"],
            stored.Differences(stored with { ModelFingerprints = ImmutableSortedDictionary<string, ModelFingerprint>.Empty.Add("resnet18", new("m1", "f2")) }).ToArray());
        Assert.Empty(stored.Differences(stored with { ModelFingerprints = ImmutableSortedDictionary<string, ModelFingerprint>.Empty.Add("resnet18", new("m1", "f1")) }));
    }

    [Fact]
    public void Changed_data_under_the_same_options_is_named_with_its_listing()
    {
        var a = DataListing.Of([new("a.png", 10, "1"), new("b.png", 20, "1")]);
        var stored = Stored with { InputsListing = a };
        Assert.Equal(["--data 2 files of 30 bytes → 2 files of 30 bytes (names or modification times changed)"],
            stored.Differences(stored with { InputsListing = DataListing.Of([new("a.png", 10, "1"), new("b.png", 20, "2")]) }).ToArray());
        Assert.Equal(["--data 2 files of 30 bytes → 3 files of 35 bytes (files added, removed or resized)"],
            stored.Differences(stored with { InputsListing = DataListing.Of([new("a.png", 10, "1"), new("b.png", 20, "1"), new("c.png", 5, "1")]) }).ToArray());
        Assert.Empty(stored.Differences(stored with { InputsListing = DataListing.Of([new("a.png", 10, "1"), new("b.png", 20, "1")]) }));
        // A plan stored before fingerprints compares as before.
        Assert.Empty(Stored.Differences(stored));
    }
}
