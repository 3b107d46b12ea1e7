using RobustCrop.Core.Data;

namespace RobustCrop.Core.Tests.Data;

public sealed class BraceExpansionTests
{
    [Fact]
    public void A_zero_padded_range_keeps_the_width_of_its_bounds()
        => Assert.Equal(["s/00008.tar", "s/00009.tar", "s/00010.tar"], BraceExpansion.Expand("s/{00008..00010}.tar").ToArray());

    [Fact]
    public void Ranges_and_alternatives_expand_left_to_right_and_nest()
        => Assert.Equal(["a/1-x", "a/1-y", "a/2-x", "a/2-y", "b/1-x", "b/1-y", "b/2-x", "b/2-y"],
            BraceExpansion.Expand("{a,b}/{1..2}-{x,y}").ToArray());

    [Fact]
    public void Ten_thousand_shards_expand_in_order()
    {
        var names = BraceExpansion.Expand("az://laion/shards/{00000..09999}.tar");
        Assert.Equal(10_000, names.Length);
        Assert.Equal("az://laion/shards/00000.tar", names[0]);
        Assert.Equal("az://laion/shards/09999.tar", names[^1]);
    }

    [Theory]
    [InlineData("s/{1..3.tar", "without its '}'")]
    [InlineData("s/1..3}.tar", "without its '{'")]
    [InlineData("s/{a..3}.tar", "not a range of whole numbers")]
    [InlineData("s/{0..99999999}.tar", "more than 1000000")]
    public void A_bad_pattern_is_one_line(string pattern, string reason)
    {
        var e = Assert.Throws<FormatException>(() => BraceExpansion.Expand(pattern));
        Assert.Contains(reason, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_data_list_splits_at_commas_outside_braces()
        => Assert.Equal(["a/{1,2}.tar", "b", "c/{x,{y,z}}"], BraceExpansion.SplitTopLevel("a/{1,2}.tar,b,c/{x,{y,z}}").ToArray());
}
