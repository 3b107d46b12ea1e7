using System.Globalization;
using RobustCrop.Core.Data;

namespace RobustCrop.IO.Data;

internal static class ListedFiles
{
    /// <summary>A local file as listed: its size and modification time (UTC ticks); a file gone since planning lists as
    /// -1 bytes, which differs from any listing where it existed.</summary>
    public static ListedFile Local(string name, string path)
    {
        var info = new FileInfo(path);
        return info.Exists
            ? new ListedFile(name, info.Length, info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture))
            : new ListedFile(name, -1, "");
    }
}
