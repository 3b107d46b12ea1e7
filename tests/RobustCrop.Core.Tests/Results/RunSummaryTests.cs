using System.Text.Json;
using RobustCrop.Core.Results;
using RobustCrop.IO.Results;
using RobustCrop.Core.Rics;

namespace RobustCrop.Core.Tests.Results;

public sealed class RunSummaryTests
{
    // Every key path of the DESIGN §9 example; "[]" marks an array element.
    private static readonly string[] ContractPaths =
    [
        "run_id", "dataset", "images", "errors", "models",
        "models[].model", "models[].images", "models[].crops_inferred", "models[].accuracy",
        "models[].realistic", "models[].realistic.consistency_1px", "models[].realistic.fooled_1px",
        "models[].realistic.fooled_window", "models[].realistic.fooled_window.k", "models[].realistic.fooled_window.rate",
        "models[].realistic.cosine_1px_min", "models[].realistic.cosine_1px_min.mean",
        "models[].realistic.cosine_1px_min.p05", "models[].realistic.cosine_1px_min.min",
        "models[].realistic.changed_1px", "models[].realistic.changed_1px.tau", "models[].realistic.changed_1px.rate",
        "models[].cyclic", "models[].cyclic.consistency_1px", "models[].cyclic.fooled_1px",
        "models[].cyclic.changed_1px", "models[].cyclic.changed_1px.tau", "models[].cyclic.changed_1px.rate",
        "models[].rics", "models[].rics[].window", "models[].rics[].score", "models[].rics[].consistency_1px",
        "models[].rics[].fooled_1px", "models[].rics[].bound_consistency_axis_1px", "models[].rics[].accuracy",
        "models[].rics[].changed_1px", "models[].rics[].changed_1px.tau", "models[].rics[].changed_1px.rate",
        "models[].rics_cyclic", "models[].rics_cyclic.consistency_1px", "models[].rics_cyclic.fooled_1px",
        "models[].rics_cyclic.accuracy",
    ];

    private static readonly string[] ExtraPaths =
    [
        "created_utc", "tau", "window_k",
        "models[].device", "models[].input_size", "models[].resize_size",
        "models[].images_with_labels", "models[].images_without_shifts", "models[].dataset", "models[].accuracy_native",
        "models[].rics[].images", "models[].rics[].border_rate", "models[].rics[].bound_consistency_1px", "models[].rics[].fooled_window",
        "models[].rics[].selection_kept_axis_1px",
        "models[].rics[].mode", "models[].rics[].forwards_per_frame", "models[].rics[].cosine_1px_min",
        "models[].rics[].changed_1px_by_tau", "models[].rics[].nn_changed_1px",
        "models[].rics_cyclic.images", "models[].rics_cyclic.identity_rate",
        "models[].realistic.changed_1px_by_tau", "models[].realistic.changed_1px_by_tau[].tau", "models[].realistic.changed_1px_by_tau[].rate",
        "models[].realistic.nn_changed_1px", "models[].realistic.nn_gallery", "models[].realistic.nn_gallery.source",
        "models[].realistic.nn_gallery.size",
        "models[].rics_cyclic.realistic", "models[].rics_cyclic.realistic.consistency_1px", "models[].rics_cyclic.realistic.fooled_1px",
        "models[].rics_cyclic.realistic.cosine_1px_min", "models[].rics_cyclic.realistic.cosine_1px_min.mean",
        "models[].rics_cyclic.realistic.cosine_1px_min.p05", "models[].rics_cyclic.realistic.cosine_1px_min.min",
        "models[].rics_cyclic.realistic.changed_1px", "models[].rics_cyclic.realistic.changed_1px.tau",
        "models[].rics_cyclic.realistic.changed_1px.rate",
        "models[].motion", "models[].motion[].kind", "models[].motion[].amount", "models[].motion[].motion", "models[].motion[].images",
        "models[].motion[].consistency_1px", "models[].motion[].fooled_1px", "models[].motion[].cosine_1px_min",
        "models[].motion[].cosine_1px_min.mean", "models[].motion[].cosine_1px_min.p05", "models[].motion[].cosine_1px_min.min",
        "models[].motion[].changed_1px", "models[].motion[].changed_1px.tau", "models[].motion[].changed_1px.rate",
        "models[].motion[].nn_changed_1px", "models[].motion[].rics", "models[].motion[].rics[].window", "models[].motion[].rics[].score",
        "models[].motion[].rics[].mode", "models[].motion[].rics[].consistency_1px", "models[].motion[].rics[].fooled_1px",
        "models[].motion[].rics[].cosine_1px_min", "models[].motion[].rics[].cosine_1px_min.mean", "models[].motion[].rics[].cosine_1px_min.p05",
        "models[].motion[].rics[].cosine_1px_min.min", "models[].motion[].rics[].changed_1px", "models[].motion[].rics[].changed_1px.tau",
        "models[].motion[].rics[].changed_1px.rate", "models[].motion[].rics[].selection_kept", "models[].motion[].rics[].border_rate",
        "models[].motion[].rics[].nn_changed_1px",
    ];

    internal static RunSummary Sample() => new(
        "run-42", "fashion-mnist test", Images: 1000, Errors: 3,
        [
            new ModelSummary("resnet18", Images: 997, CropsInferred: 29_910, Accuracy: null,
                new RealisticSummary(0.9375, 0.125, new FooledWindowSummary(2, 0.25),
                    new CosineStats(0.985, 0.9, 0.5), new ChangedSummary(0.99, 0.4),
                    [new ChangedSummary(0.99, 0.4), new ChangedSummary(0.95, 0.125)], NnChanged1px: 0.25, NnGallery: new NnGallerySummary("run", 997)),
                new CyclicSummary(0.96875, 0.0625, new ChangedSummary(0.99, 0.2)),
                [
                    new RicsSummary(9, "hash", 0.8125, 0.0375, RicsScores.AxisBound(9), null, new ChangedSummary(0.99, 0.05)),
                    new RicsSummary(5, "bandpass", 0.75, 0.0625, RicsScores.AxisBound(5), null, new ChangedSummary(0.99, 0.1)),
                ],
                new RicsCyclicSummary(1.0, 0.0, null, Realistic: new RicsCyclicRealisticSummary(0.96875, 0.125,
                    new CosineStats(0.99, 0.95, 0.75), new ChangedSummary(0.99, 0.25))),
                Device: "cuda:0", InputSize: 224, ResizeSize: 256, ImagesWithLabels: 0, ImagesWithoutShifts: 2)
            {
                Motion =
                [
                    new MotionSummary("subpixel", 0.5, "subpixel:0.5", 997, 0.875, 0.25, new CosineStats(0.99, 0.95, 0.5),
                        new ChangedSummary(0.99, 0.25), null,
                        [new MotionRicsSummary(9, "hash", "select", 0.5, 0.75, new CosineStats(0.9, 0.5, 0.25), new ChangedSummary(0.99, 0.5), 0.125, 0.25) { NnChanged1px = 0.375 }]),
                ],
            },
            new ModelSummary("dinov2-small", Images: 997, CropsInferred: 9_970, Accuracy: 0.5,
                new RealisticSummary(null, null, new FooledWindowSummary(2, null),
                    new CosineStats(0.95, 0.8, 0.25), new ChangedSummary(0.99, 0.375)),
                new CyclicSummary(null, null, new ChangedSummary(0.99, 0.125)),
                [], RicsCyclic: null),
        ],
        CreatedUtc: new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), Tau: 0.99, WindowK: 2);

    [Fact]
    public void Json_has_exactly_the_contract_key_paths_plus_the_declared_extras()
    {
        using var doc = JsonDocument.Parse(RunSummaryIo.Serialize(Sample()));
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        Collect(doc.RootElement, "", paths);

        Assert.Equal(ContractPaths.Concat(ExtraPaths).Order(StringComparer.Ordinal), paths);
    }

    [Fact]
    public void Null_values_are_written_as_json_null_not_omitted()
    {
        using var doc = JsonDocument.Parse(RunSummaryIo.Serialize(Sample()));
        var first = doc.RootElement.GetProperty("models")[0];
        var second = doc.RootElement.GetProperty("models")[1];

        Assert.Equal(JsonValueKind.Null, first.GetProperty("accuracy").ValueKind);
        Assert.Equal(JsonValueKind.Null, first.GetProperty("rics")[0].GetProperty("accuracy").ValueKind);
        Assert.Equal(JsonValueKind.Null, second.GetProperty("realistic").GetProperty("consistency_1px").ValueKind);
        Assert.Equal(JsonValueKind.Null, second.GetProperty("realistic").GetProperty("fooled_window").GetProperty("rate").ValueKind);
        Assert.Equal(JsonValueKind.Null, second.GetProperty("rics_cyclic").ValueKind);
        Assert.Equal(JsonValueKind.Array, second.GetProperty("rics").ValueKind);
        Assert.Equal(0, second.GetProperty("rics").GetArrayLength());
        Assert.Equal(0.5, second.GetProperty("accuracy").GetDouble());
    }

    [Fact]
    public void Values_land_under_their_keys()
    {
        using var doc = JsonDocument.Parse(RunSummaryIo.Serialize(Sample()));
        var root = doc.RootElement;
        var m = root.GetProperty("models")[0];
        Assert.Equal("run-42", root.GetProperty("run_id").GetString());
        Assert.Equal(1000, root.GetProperty("images").GetInt64());
        Assert.Equal(3, root.GetProperty("errors").GetInt64());
        Assert.Equal(0.125, m.GetProperty("realistic").GetProperty("fooled_1px").GetDouble());
        Assert.Equal(2, m.GetProperty("realistic").GetProperty("fooled_window").GetProperty("k").GetInt32());
        Assert.Equal(0.9, m.GetProperty("realistic").GetProperty("cosine_1px_min").GetProperty("p05").GetDouble());
        Assert.Equal(0.99, m.GetProperty("cyclic").GetProperty("changed_1px").GetProperty("tau").GetDouble());
        Assert.Equal(0.8, m.GetProperty("rics")[0].GetProperty("bound_consistency_axis_1px").GetDouble(), 12);
        Assert.Equal("hash", m.GetProperty("rics")[0].GetProperty("score").GetString());
        Assert.Equal(1.0, m.GetProperty("rics_cyclic").GetProperty("consistency_1px").GetDouble());
        var realistic = m.GetProperty("rics_cyclic").GetProperty("realistic");
        Assert.Equal(0.125, realistic.GetProperty("fooled_1px").GetDouble());
        Assert.Equal(0.95, realistic.GetProperty("cosine_1px_min").GetProperty("p05").GetDouble());
        Assert.Equal(0.25, realistic.GetProperty("changed_1px").GetProperty("rate").GetDouble());
    }

    [Fact]
    public void A_summary_written_before_rics_cyclic_realistic_reads_back_with_it_null()
    {
        var s = Sample();
        var old = s with { Models = [s.Models[0] with { RicsCyclic = s.Models[0].RicsCyclic! with { Realistic = null } }] };
        var json = System.Text.RegularExpressions.Regex.Replace(RunSummaryIo.Serialize(old), @",\s*""realistic"": null", "");
        Assert.DoesNotContain("\"realistic\": null", json, StringComparison.Ordinal);

        Assert.Null(RunSummaryIo.Deserialize(json).Models[0].RicsCyclic!.Realistic);
    }

    [Fact]
    public void Json_round_trips()
    {
        var json = RunSummaryIo.Serialize(Sample());
        var back = RunSummaryIo.Deserialize(json);

        Assert.Equal(json, RunSummaryIo.Serialize(back));
        Assert.Equal("dinov2-small", back.Models[1].Model);
        Assert.Null(back.Models[0].Accuracy);
        Assert.Equal(2, back.Models[0].Rics.Count);
    }

    [Fact]
    public void A_summary_missing_a_contract_key_is_rejected()
    {
        var json = RunSummaryIo.Serialize(Sample()).Replace("\"errors\": 3,", "", StringComparison.Ordinal);
        Assert.Throws<JsonException>(() => RunSummaryIo.Deserialize(json));
    }

    [Theory]
    [InlineData(9, 0.8)]
    [InlineData(3, 0.5)]
    [InlineData(1, 0.0)]
    public void Axis_bound_is_n_minus_1_over_n_plus_1(int window, double bound)
        => Assert.Equal(bound, RicsScores.AxisBound(window), 12);

    [Fact]
    public async Task Summary_parquet_has_a_baseline_row_per_model_and_a_row_per_rics_setting()
    {
        using var ms = new MemoryStream();
        await SummaryParquet.WriteAsync(ms, Sample());
        ms.Position = 0;
        var rows = await SummaryParquet.ReadAsync(ms);

        Assert.Equal(
            [("resnet18", "baseline", (int?)null), ("resnet18", "rics", 9), ("resnet18", "rics", 5), ("dinov2-small", "baseline", null)],
            rows.Select(r => (r.Model, r.Mode, r.Window)));
        var baseline = rows[0];
        Assert.Null(baseline.Accuracy);
        Assert.Equal(0.9375, baseline.RealisticConsistency1px);
        Assert.Equal(2, baseline.RealisticFooledWindowK);
        Assert.Equal(0.9, baseline.RealisticCosine1pxMinP05);
        Assert.Equal(0.0625, baseline.CyclicFooled1px);
        Assert.Equal(1.0, baseline.RicsCyclicConsistency1px);
        Assert.Equal((0.96875, 0.125, 0.99, 0.95, 0.75, 0.99, 0.25), (baseline.RicsCyclicRealisticConsistency1px, baseline.RicsCyclicRealisticFooled1px,
            baseline.RicsCyclicRealisticCosine1pxMinMean, baseline.RicsCyclicRealisticCosine1pxMinP05, baseline.RicsCyclicRealisticCosine1pxMinMin,
            baseline.RicsCyclicRealisticChanged1pxTau, baseline.RicsCyclicRealisticChanged1pxRate));
        Assert.Null(rows[1].RicsCyclicRealisticFooled1px);
        Assert.Null(baseline.BoundConsistencyAxis1px);
        var rics = rows[2];
        Assert.Equal("bandpass", rics.Score);
        Assert.Equal(0.75, rics.RealisticConsistency1px);
        Assert.Equal(RicsScores.AxisBound(5), rics.BoundConsistencyAxis1px);
        Assert.Null(rics.CyclicFooled1px);
        Assert.Equal(997, rics.Images);
        Assert.Null(rows[3].RicsCyclicAccuracy);
        Assert.Equal(0.5, rows[3].Accuracy);
    }

    [Fact]
    public async Task A_per_image_mean_of_the_summary_is_a_summary_parquet_column_of_the_baseline_rows()
    {
        var sample = Sample();
        var first = sample.Models[0];
        var withMean = sample with
        {
            Models = [first with { Realistic = first.Realistic with { Means = new() { ["cosine_1px_mean"] = 0.996 } } }, .. sample.Models.Skip(1)],
        };
        using var ms = new MemoryStream();
        await SummaryParquet.WriteAsync(ms, withMean);
        ms.Position = 0;

        var table = await Parquet.Serialization.ParquetSerializer.DeserializeUntypedAsync(ms);
        var means = table.Data.Select(r => r.GetValueOrDefault("realistic_cosine_1px_mean")).ToList();

        Assert.Contains("realistic_cosine_1px_mean", table.Schema.GetDataFields().Select(f => f.Name));
        Assert.Equal(new object?[] { 0.996, null, null, null }, means);
        Assert.Contains("\"cosine_1px_mean\": 0.996", RunSummaryIo.Serialize(withMean), StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_parquet_columns_follow_the_documented_names()
    {
        var names = ResultParquet.ColumnNames<SummaryParquetRow>();
        Assert.Equal(["run_id", "model", "mode", "window", "score", "images", "crops_inferred", "accuracy"], names.Take(8));
        Assert.Contains("realistic_consistency_1px", names);
        Assert.Contains("realistic_fooled_window_k", names);
        Assert.Contains("realistic_fooled_window_rate", names);
        Assert.Contains("realistic_cosine_1px_min_mean", names);
        Assert.Contains("realistic_cosine_1px_min_p05", names);
        Assert.Contains("realistic_cosine_1px_min_min", names);
        Assert.Contains("realistic_changed_1px_tau", names);
        Assert.Contains("cyclic_changed_1px_rate", names);
        Assert.Contains("rics_cyclic_consistency_1px", names);
        Assert.Contains("rics_cyclic_realistic_fooled_1px", names);
        Assert.Contains("rics_cyclic_realistic_cosine_1px_min_p05", names);
        Assert.Contains("bound_consistency_axis_1px", names);
    }

    private static void Collect(JsonElement element, string path, ISet<string> paths)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in element.EnumerateObject())
                {
                    var child = path.Length == 0 ? p.Name : $"{path}.{p.Name}";
                    paths.Add(child);
                    Collect(p.Value, child, paths);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, path + "[]", paths);
                }
                break;
        }
    }
}

public sealed class RunSummaryInvalidValueTests
{
    [Fact]
    public void A_nan_metric_is_refused_rather_than_written()
    {
        var s = RunSummaryTests.Sample();
        var bad = s with { Models = [s.Models[0] with { Accuracy = double.NaN }] };
        Assert.Throws<ArgumentException>(() => RunSummaryIo.Serialize(bad));
    }
}
