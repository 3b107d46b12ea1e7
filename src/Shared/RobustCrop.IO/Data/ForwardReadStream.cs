namespace RobustCrop.IO.Data;

/// <summary>
/// Base of the read-only, forward-only streams the datasets wrap around a source (a blob read, a read-ahead): what
/// such a stream cannot do is said once here, so a subclass only reads and disposes.
/// </summary>
public abstract class ForwardReadStream : Stream
{
    public sealed override bool CanRead => true;
    public sealed override bool CanSeek => false;
    public sealed override bool CanWrite => false;
    public sealed override long Length => throw new NotSupportedException();
    public sealed override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public sealed override void Flush() { }
    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public sealed override void SetLength(long value) => throw new NotSupportedException();
    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
