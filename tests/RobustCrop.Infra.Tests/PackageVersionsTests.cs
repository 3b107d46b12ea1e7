using System.Xml.Linq;

namespace RobustCrop.Infra.Tests;

/// <summary>
/// Restore and build print nothing (issue 24 item 2): every NU1603 (a wanted version the registry does not serve) is an
/// error, so a pin is added instead of a warning on every run, and the Akka packages move together (issue 20 item 9).
/// </summary>
[Trait("Category", "Infra")]
public sealed class PackageVersionsTests
{
    private static XDocument Load(string name) => XDocument.Load(Path.Combine(RepoPaths.Root, name));

    [Fact]
    public void Every_akka_package_is_on_one_version()
    {
        var akka = Load("Directory.Packages.props").Descendants("PackageVersion")
            .Where(p => ((string?)p.Attribute("Include") ?? "").StartsWith("Akka", StringComparison.Ordinal))
            .Select(p => ((string)p.Attribute("Include")!, (string)p.Attribute("Version")!))
            .ToList();

        Assert.True(akka.Count >= 7, "the Akka packages are not declared centrally");
        Assert.Single(akka.Select(p => p.Item2).Distinct());
    }

    [Fact]
    public void No_restore_warning_is_let_through_as_a_warning()
    {
        var props = Load("Directory.Build.props");

        Assert.Equal("true", (string?)props.Descendants("TreatWarningsAsErrors").SingleOrDefault());
        Assert.DoesNotContain(props.Descendants("WarningsNotAsErrors"), w => w.Value.Contains("NU", StringComparison.Ordinal));
        Assert.DoesNotContain(props.Descendants("NoWarn"), w => w.Value.Contains("NU", StringComparison.Ordinal));
        Assert.Equal("true", (string?)Load("Directory.Packages.props").Descendants("CentralPackageTransitivePinningEnabled").SingleOrDefault());
    }
}
