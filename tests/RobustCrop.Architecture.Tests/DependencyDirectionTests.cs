using System.Reflection;
using NetArchTest.Rules;

namespace RobustCrop.Architecture.Tests;

/// <summary>
/// Dependencies run one way: Core ← IO ← Worker ← Coordinator ← Cli, Core ← Cluster ← Worker, Worker ← Worker.Host.
/// Each rule names what a layer must not use; a failure lists the offending types.
/// </summary>
public sealed class DependencyDirectionTests
{
    /// <summary>Frameworks and I/O types the pure core must never touch.</summary>
    private static readonly string[] ImpureForCore =
    [
        "RobustCrop.IO", "RobustCrop.Cluster", "RobustCrop.Worker", "RobustCrop.Coordinator", "RobustCrop.Cli",
        "Akka", "Parquet", "SkiaSharp", "Azure", "Microsoft.ML.OnnxRuntime", "YamlDotNet", "DuckDB", "Spectre", "ScottPlot",
        "System.IO.File", "System.IO.FileInfo", "System.IO.FileStream", "System.IO.Directory", "System.IO.DirectoryInfo",
        "System.Console", "System.Net", "System.Diagnostics.Process", "System.Environment",
    ];

    public static TheoryData<string, string[]> Rules() => new()
    {
        { nameof(Layers.Core), ImpureForCore },
        { nameof(Layers.IO), ["RobustCrop.Cluster", "RobustCrop.Worker", "RobustCrop.Coordinator", "RobustCrop.Cli", "Akka", "Microsoft.ML.OnnxRuntime", "Spectre", "DuckDB", "ScottPlot", "System.Console"] },
        { nameof(Layers.Cluster), ["RobustCrop.IO", "RobustCrop.Worker", "RobustCrop.Coordinator", "RobustCrop.Cli", "Microsoft.ML.OnnxRuntime", "Parquet", "Azure", "Spectre", "DuckDB"] },
        { nameof(Layers.Worker), ["RobustCrop.Coordinator", "RobustCrop.Cli", "Spectre", "DuckDB", "ScottPlot", "System.Console"] },
        { nameof(Layers.Coordinator), ["RobustCrop.Cli", "RobustCrop.Worker.Host"] },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void A_layer_does_not_depend_on_what_sits_above_it_or_on_forbidden_frameworks(string layer, string[] forbidden)
    {
        var assembly = (Assembly)typeof(Layers).GetField(layer)!.GetValue(null)!;
        var result = Types.InAssembly(assembly).ShouldNot().HaveDependencyOnAny(forbidden).GetResult();
        Assert.True(result.IsSuccessful, $"{layer} depends on one of [{string.Join(", ", forbidden)}]: "
            + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void No_library_references_an_executable()
    {
        var executables = new[] { Layers.Cli, Layers.WorkerHost }.Select(a => a.GetName().Name).ToHashSet();
        foreach (var library in Layers.Libraries)
        {
            var offending = library.GetReferencedAssemblies().Where(r => executables.Contains(r.Name)).Select(r => r.Name).ToList();
            Assert.True(offending.Count == 0, $"{library.GetName().Name} references {string.Join(", ", offending)}");
        }
    }

    [Fact]
    public void Shipped_assemblies_hold_no_test_or_benchmark_code()
    {
        // Reference implementations (the scalar crop writer) and micro-benchmarks live in tests/; the product's own
        // bench commands (bench, bench-cluster) measure the real code paths and stay.
        var named = Types.InAssemblies(Layers.All).That().HaveNameEndingWith("Reference").Or().HaveNameEndingWith("Tests").GetTypes()
            .Select(t => t.FullName).ToList();
        Assert.True(named.Count == 0, "test or reference code in src: " + string.Join(", ", named));
        var result = Types.InAssemblies(Layers.All).ShouldNot().HaveDependencyOnAny("Xunit", "RobustCrop.TestSupport", "RobustCrop.Benchmarks").GetResult();
        Assert.True(result.IsSuccessful, "src depends on test code: " + string.Join(", ", result.FailingTypeNames ?? []));
    }
}
