using System.Runtime.InteropServices;

namespace RobustCrop.IO.Storage;

/// <summary>
/// Puts a finished file under a name only if that name is free, atomically. <see cref="File.Move(string, string, bool)"/>
/// without overwrite checks that the target is absent and then renames over it on Unix: two starts of one run id at the
/// same instant could both pass the check and both "claim" the run (seen: 2 claims of 8 starts in one of 20 trials).
/// link(2) fails with EEXIST when the name exists, in one step; Windows' move without overwrite is already atomic.
/// </summary>
internal static partial class ExclusiveLink
{
    private const int EEXIST = 17;

    /// <summary>True when <paramref name="target"/> now names the content of <paramref name="source"/>; false when
    /// <paramref name="target"/> already existed. <paramref name="source"/> stays; the caller removes it.</summary>
    public static bool TryLink(string source, string target)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Copy(source, target, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(target))
            {
                return false;
            }
        }
        if (Link(source, target) == 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == EEXIST) return false;
        throw new IOException($"cannot create {target}: link failed with errno {errno}");
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);
}
