using RobustCrop.Core.Results;

namespace RobustCrop.Core.Tests.Results;

public sealed class DistinctKeysTests
{
    [Fact]
    public void Counts_each_key_once_and_tells_a_repeat()
    {
        var keys = new DistinctKeys();
        Assert.True(keys.Add("photos/a.jpg"));
        Assert.True(keys.Add("photos/b.jpg"));
        Assert.False(keys.Add("photos/a.jpg"));
        // A prefix or an extension of a key is another key, and so is the empty key.
        Assert.True(keys.Add("photos/a.jp"));
        Assert.True(keys.Add("photos/a.jpgx"));
        Assert.True(keys.Add(""));
        Assert.False(keys.Add(""));
        Assert.Equal(5, keys.Count);
    }

    [Fact]
    public void Agrees_with_a_hash_set_over_many_keys_across_growth_and_clear()
    {
        var keys = new DistinctKeys();
        var rng = new Random(5);
        for (int round = 0; round < 3; round++)
        {
            var reference = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < 20_000; i++)
            {
                // About one key in three repeats an earlier one.
                string key = $"fashion-mnist/t10k/{rng.Next(30_000):D6}{(round == 1 ? "-long-suffix-that-grows-the-buffer" : "")}";
                Assert.Equal(reference.Add(key), keys.Add(key));
            }
            Assert.Equal(reference.Count, keys.Count);
            keys.Clear();
            Assert.Equal(0, keys.Count);
            Assert.True(keys.Add("fashion-mnist/t10k/000001"));
            keys.Clear();
        }
    }
}
