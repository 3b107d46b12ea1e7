using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace RobustCrop.Infra.Tests;

/// <summary>
/// The README's install commands (<c>dotnet publish … -o publish/NAME</c>), checked against the projects they name. A
/// publish takes minutes on two cores (2 min 41 s for the CLI under load), too slow for the suite, so this is a check of
/// the command's text: each names an executable project whose AssemblyName is the folder it publishes into, so the
/// program lands at <c>publish/NAME/NAME</c> where the README's PATH line looks; and the build is framework-dependent
/// linux-x64, as the README says.
/// </summary>
[Trait("Category", "Infra")]
public sealed partial class PublishCommandTests
{
    private static readonly string Root = RepoPaths.Root;

    [Fact]
    public void The_readme_publishes_both_executables_into_folders_named_as_their_assemblies()
    {
        string readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var commands = PublishCommand().Matches(readme);
        Assert.Equal(["robustcrop", "robustcrop-worker"], commands.Select(c => c.Groups["name"].Value).Order(StringComparer.Ordinal));
        foreach (Match c in commands)
        {
            string project = Path.Combine(Root, c.Groups["project"].Value);
            var csproj = Directory.GetFiles(project, "*.csproj");
            Assert.True(csproj.Length == 1, $"{c.Value}: {c.Groups["project"].Value} holds {csproj.Length} project files");
            var xml = XDocument.Load(csproj[0]);
            Assert.Equal("Exe", Property(xml, "OutputType"));
            Assert.Equal(c.Groups["name"].Value, Property(xml, "AssemblyName"));
            Assert.Contains($"$PWD/publish/{c.Groups["name"].Value}", PathLine().Match(readme).Value);
        }
    }

    [Fact]
    public void The_published_folders_are_framework_dependent_linux_x64_and_ignored_by_git()
    {
        var props = XDocument.Load(Path.Combine(Root, "Directory.Build.props"));
        Assert.Equal("linux-x64", Property(props, "RuntimeIdentifier"));
        Assert.Equal("false", Property(props, "SelfContained"));
        Assert.Contains("/publish/", File.ReadAllLines(Path.Combine(Root, ".gitignore")));
    }

    private static string? Property(XDocument xml, string name) => xml.Descendants(name).Select(e => e.Value.Trim()).FirstOrDefault();

    [GeneratedRegex(@"^dotnet publish (?<project>src/\S+) -c Release -o publish/(?<name>[\w-]+)$", RegexOptions.Multiline)]
    private static partial Regex PublishCommand();

    [GeneratedRegex(@"^export PATH=.*$", RegexOptions.Multiline)]
    private static partial Regex PathLine();
}
