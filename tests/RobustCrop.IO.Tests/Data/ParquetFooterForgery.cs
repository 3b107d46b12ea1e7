using System.Buffers.Binary;
using System.Reflection;
using Parquet.Meta;

namespace RobustCrop.IO.Tests.Data;

/// <summary>
/// Rewrites a Parquet file's footer as an attacker would: the row groups stay, their description changes. Parquet.Net
/// keeps its Thrift codec internal, so the forgery reaches it by reflection (test code only).
/// </summary>
internal static class ParquetFooterForgery
{
    public static void Rewrite(string path, Action<FileMetaData> change)
    {
        byte[] file = File.ReadAllBytes(path);
        int footerLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(file.Length - 8));
        int footerStart = file.Length - 8 - footerLength;
        var asm = typeof(FileMetaData).Assembly;
        var readerType = asm.GetType("Parquet.Meta.Proto.ThriftCompactProtocolReader", throwOnError: true)!;
        var writerType = asm.GetType("Parquet.Meta.Proto.ThriftCompactProtocolWriter", throwOnError: true)!;
        using var footer = new MemoryStream(file, footerStart, footerLength);
        var meta = (FileMetaData)typeof(FileMetaData).GetMethod("Read", BindingFlags.NonPublic | BindingFlags.Static)!
            .Invoke(null, [Activator.CreateInstance(readerType, footer)])!;
        change(meta);
        using var forged = new MemoryStream();
        typeof(FileMetaData).GetMethod("Write", BindingFlags.NonPublic | BindingFlags.Instance)!
            .Invoke(meta, [Activator.CreateInstance(writerType, forged)]);
        using var output = File.Create(path);
        output.Write(file, 0, footerStart);
        forged.Position = 0;
        forged.CopyTo(output);
        Span<byte> tail = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(tail, checked((int)forged.Length));
        "PAR1"u8.CopyTo(tail[4..]);
        output.Write(tail);
    }
}
