using RobustCrop.Core.Models;
using RobustCrop.Core.Settings;

namespace RobustCrop.Core.Planning;

/// <summary>
/// What a run needs of a model's geometry, checked once before anything loads (DESIGN §2): a zoo that cannot work
/// stops with one line naming the model and the fix, instead of turning every input into an error row or
/// "measuring" RICS windows that never fit.
/// </summary>
public static class ZooFeasibility
{
    /// <summary>
    /// Pixels the crop can move on the scene's short side before leaving it: floor((R − C) / 2), the margin of a
    /// square image (the long side of a non-square image has more).
    /// </summary>
    public static int Margin(ModelManifest m) => (m.ResizeSize - m.InputSize) / 2;

    /// <summary>The margin the run's shift plan and realistic RICS need, with what needs it (for the message).</summary>
    public static (int Pixels, string Why) MarginNeeded(RunSettings s)
    {
        int shifts = Math.Max(1, s.WindowK);
        var needed = (shifts, s.WindowK > 1 ? $"the 1-px shifts and W_{s.WindowK}" : "the 1-px shifts");
        if (s.Rics.AnyRealistic)
        {
            int n = s.Rics.Windows.Max();
            // The selector scores every window position of every shifted frame: half the window plus the frame's shift.
            int frames = s.Rics.WindowFrames && s.WindowK > 1 ? s.WindowK : 1;
            int rics = (n - 1) / 2 + frames;
            if (rics > needed.shifts) needed = (rics, $"RICS windows of {n} px on shifted frames");
        }
        return needed;
    }

    /// <summary>Throws <see cref="ZooException"/> (one line naming the model) when the run cannot measure it.</summary>
    public static void Check(ModelManifest m, RunSettings s)
    {
        long square = (long)m.ResizeSize * m.ResizeSize;
        if (square > s.MaxScenePixels)
            throw new ZooException($"model {m.Id}: resize {m.ResizeSize} makes even a square image a {m.ResizeSize}x{m.ResizeSize} scene " +
                                   $"({square} pixels, over the {s.MaxScenePixels}-pixel scene limit); check resize.size and resize.crop_pct");
        int margin = Margin(m);
        var (needed, why) = MarginNeeded(s);
        if (margin < needed)
            throw new ZooException($"model {m.Id}: resize {m.ResizeSize} around a {m.InputSize}-px crop leaves {margin} px of room to shift " +
                                   $"on the short side, {why} need {needed}; set resize.margin: {needed} in the zoo " +
                                   $"(scene short side {m.InputSize + 2 * needed}), or ask for less (--window, --rics)");
    }
}
