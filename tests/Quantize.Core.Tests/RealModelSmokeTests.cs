namespace Quantize.Core.Tests;

public class RealModelSmokeTests
{
    [Fact]
    public void MiniLm_embeds_similar_sentences_closer_than_unrelated_ones()
    {
        var e = MiniLmEmbedder.Embed(RealModels.MiniLmPath, ["A man is playing a guitar.", "Someone plays a guitar.", "The stock market crashed today."]);
        Assert.True(Similarity.Cosine(e[0], e[1]) > Similarity.Cosine(e[0], e[2]) + 0.2);
    }
}
