using Platform.Domain.Common;

namespace Platform.Tests.Common;

/// <summary>The one naming rule of projects, environments, applications and databases.</summary>
public sealed class NamesTests
{
    [Theory]
    [InlineData("web")]
    [InlineData("staging")]
    [InlineData("preview-42")]
    [InlineData("Main_DB")]
    [InlineData("9lives")]
    [InlineData("  staging  ")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")]
    public void Problem_OfANameThatKeepsTheRule_IsNull(string name) => Assert.Null(Names.Problem(name));

    [Theory]
    [InlineData("Staging Env!")]
    [InlineData("new env name")]
    [InlineData("-web")]
    [InlineData("_web")]
    [InlineData("web.app")]
    [InlineData("ünïcode")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void Problem_OfANameOffTheRule_SaysTheRule(string name) => Assert.Equal(Names.Rule, Names.Problem(name));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Problem_OfNoName_SaysItIsRequired(string? name) => Assert.Equal("Name is required.", Names.Problem(name));

    [Fact]
    public void Problem_OfANameKeptAsStored_IsNull_EvenOffTheRule() => Assert.Null(Names.Problem("Staging Env", stored: "Staging Env"));

    [Fact]
    public void Problem_OfANewNameOffTheRule_WhenAnotherIsStored_SaysTheRule() => Assert.Equal(Names.Rule, Names.Problem("Staging Env!", stored: "Staging Env"));
}
