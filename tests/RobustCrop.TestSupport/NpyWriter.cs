using System.Text;

namespace RobustCrop.TestSupport;

/// <summary>Writes a 2-d float32 array in numpy's .npy format 1.0, as <c>numpy.save</c> does, for head fixtures.</summary>
public static class NpyWriter
{
    public static void WriteFloat32(string path, int rows, int cols, float[] data)
    {
        string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {cols}), }}";
        // numpy pads the header with spaces and a newline so the data starts on a 64-byte boundary.
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var w = new BinaryWriter(File.Create(path));
        w.Write((byte)0x93);
        w.Write(Encoding.ASCII.GetBytes("NUMPY"));
        w.Write((byte)1);
        w.Write((byte)0);
        w.Write((ushort)header.Length);
        w.Write(Encoding.ASCII.GetBytes(header));
        foreach (var v in data) w.Write(v);
    }
}
