using System.Text;

namespace RobustCrop.IO.Storage;

public static class ResultStoreExtensions
{
    public static Task WriteTextAsync(this IResultStore store, string path, string text, CancellationToken ct = default)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        return store.WriteAsync(path, s => s.WriteAsync(bytes, ct).AsTask(), ct);
    }

    public static async Task<string> ReadTextAsync(this IResultStore store, string path, CancellationToken ct = default)
    {
        await using var s = await store.OpenReadAsync(path, ct);
        using var r = new StreamReader(s, Encoding.UTF8);
        return await r.ReadToEndAsync(ct);
    }
}
