using System.Diagnostics;

namespace RobustCrop.Infra.Tests;

/// <summary>
/// The default model reaches the output folder through the Worker project's MSBuild items. CI systems set
/// <c>NUGET_PACKAGES</c> without a trailing slash, and a build that silently copied nothing only failed at run time
/// (issue 24 item 1). Runs the project's own check target in a child MSBuild with the package root spelt both ways.
/// </summary>
[Trait("Category", "Infra")]
public sealed class ShippedModelBuildTests
{
    private static readonly string WorkerProject =
        Path.Combine(RepoPaths.Root, "src", "Worker", "RobustCrop.Worker", "RobustCrop.Worker.csproj");

    [Fact]
    public void Package_root_without_trailing_slash_finds_the_shipped_model()
    {
        var root = PackageRoot().TrimEnd('/');
        Assert.True(File.Exists(Path.Combine(root, "microsoft.ml.dnnimagefeaturizer.resnet18", "0.23.1",
            "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx")), "the model package is not restored here");

        var (exit, output) = RunCheck(root);

        Assert.True(exit == 0, output);
        Assert.DoesNotContain("shipped model not found", output);
    }

    [Fact]
    public void Missing_shipped_model_fails_the_build_with_one_clear_error()
    {
        var empty = Directory.CreateTempSubdirectory("robustcrop-nuget-");
        try
        {
            var (exit, output) = RunCheck(empty.FullName);

            Assert.NotEqual(0, exit);
            Assert.Contains("shipped model not found", output);
            Assert.Contains("ResNet18Onnx/ResNet18.onnx", output);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    private static string PackageRoot()
    {
        var env = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        return string.IsNullOrEmpty(env)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages")
            : env;
    }

    private static (int Exit, string Output) RunCheck(string packageRoot)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var arg in new[]
                 {
                     "msbuild", WorkerProject, "-t:CheckShippedModels", "-nologo", "-v:m", "-nodeReuse:false",
                     $"-p:NuGetPackageRoot={packageRoot}",
                 })
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "msbuild did not finish in 2 minutes");
        return (process.ExitCode, stdout + stderr.Result);
    }
}
