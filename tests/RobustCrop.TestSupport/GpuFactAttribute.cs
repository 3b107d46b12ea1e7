namespace RobustCrop.TestSupport;

/// <summary>
/// A fact that needs an NVIDIA GPU (tests tagged <c>Category=Gpu</c>): skipped, with the reason, where the machine has
/// no NVIDIA device. With <c>ROBUSTCROP_GPU_TESTS=1</c> (scripts/gpu-check.sh sets it) it always runs, so a GPU machine
/// whose driver or CUDA runtime is broken fails instead of skipping.
/// </summary>
public sealed class GpuFactAttribute : FactAttribute
{
    public const string ForceVariable = "ROBUSTCROP_GPU_TESTS";

    public GpuFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(ForceVariable) == "1") return;
        if (!File.Exists("/dev/nvidiactl") && !File.Exists("/dev/nvidia0"))
            Skip = $"no NVIDIA GPU on this machine (no /dev/nvidia0); scripts/gpu-check.sh runs these tests where there is one ({ForceVariable}=1)";
    }
}
