using Microsoft.AspNetCore.Components;
using Bunit;
using MudBlazor;
using MudBlazor.Services;
using Platform.Portal.Components.Common;

namespace Platform.Tests.Components;

/// <summary>The shared form fields: numbers typed as text, secrets masked with a toggle, copy beside what is shown once.</summary>
public sealed class FormFieldTests
{
    [Fact]
    public async Task NumberField_TypedAsText_ShowsAnError_AndKeepsItOutOfTheValue_AndTheFormRefuses()
    {
        await using var context = NewContext();
        int? bound = 8080;
        MudForm? form = null;
        var view = context.Render<MudForm>(p => p
            .Add(f => f.ChildContent, (RenderFragment)(b =>
            {
                b.OpenComponent<NumberField<int>>(0);
                b.AddAttribute(1, nameof(NumberField<int>.Label), "Port");
                b.AddAttribute(2, nameof(NumberField<int>.Value), bound);
                b.AddAttribute(3, nameof(NumberField<int>.ValueChanged), EventCallback.Factory.Create<int?>(this, v => bound = v));
                b.CloseComponent();
            })));
        form = view.Instance;

        view.Find("input").Change("abc");

        view.WaitForAssertion(() => Assert.Contains("Enter a whole number", view.Markup, StringComparison.Ordinal));
        Assert.Equal(8080, bound);
        Assert.False(await view.InvokeAsync(() => form.PassesAsync()));
    }

    [Fact]
    public async Task NumberField_TypedAsDigits_SetsTheValue_AndTheFormPasses()
    {
        await using var context = NewContext();
        int? bound = 8080;
        var view = context.Render<MudForm>(p => p
            .Add(f => f.ChildContent, (RenderFragment)(b =>
            {
                b.OpenComponent<NumberField<int>>(0);
                b.AddAttribute(1, nameof(NumberField<int>.Label), "Port");
                b.AddAttribute(2, nameof(NumberField<int>.Value), bound);
                b.AddAttribute(3, nameof(NumberField<int>.ValueChanged), EventCallback.Factory.Create<int?>(this, v => bound = v));
                b.CloseComponent();
            })));

        view.Find("input").Change("3000");

        Assert.Equal(3000, bound);
        Assert.True(await view.InvokeAsync(() => view.Instance.PassesAsync()));
        Assert.DoesNotContain("Enter a", view.Markup, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", false, "Enter a number.")]
    [InlineData("", true, null)]
    [InlineData("0,5", false, "Enter a whole number, in digits.")]
    [InlineData("12", false, null)]
    public void NumberField_ProblemOf_Text(string text, bool optional, string? expected) =>
        Assert.Equal(expected, NumberField<int>.ProblemOf(text, optional));

    [Fact]
    public async Task SecretField_IsMasked_UntilItsShowButton_ThenHidesAgain()
    {
        await using var context = NewContext();
        var view = context.Render<SecretField>(p => p.Add(f => f.Label, "Value").Add(f => f.Value, "s3cret"));

        Assert.Equal("password", view.Find("input").GetAttribute("type"));
        view.Find("button[aria-label='Show Value']").Click();
        Assert.Equal("text", view.Find("input").GetAttribute("type"));
        view.Find("button[aria-label='Hide Value']").Click();
        Assert.Equal("password", view.Find("input").GetAttribute("type"));
    }

    [Fact]
    public async Task SecretField_WithCopy_HasACopyButtonBesideIt()
    {
        await using var context = NewContext();
        var view = context.Render<SecretField>(p => p.Add(f => f.Label, "Token").Add(f => f.Subject, "the token").Add(f => f.Value, "plt_x")
            .Add(f => f.ReadOnly, true).Add(f => f.Copy, true));

        Assert.Single(view.FindAll("button[aria-label='Copy the token']"));
        Assert.Equal("password", view.Find("input").GetAttribute("type"));
    }

    [Fact]
    public async Task IdLine_ShowsTheId_WithACopyButtonNamedForIt()
    {
        await using var context = NewContext();
        var id = Guid.CreateVersion7();
        var view = context.Render<IdLine>(p => p.Add(f => f.Id, id).Add(f => f.What, "Application"));

        Assert.Equal(id.ToString(), view.Find("[data-testid='id']").TextContent);
        Assert.Single(view.FindAll("button[aria-label='Copy the application id']"));
    }

    [Fact]
    public async Task CodeSnippet_HasACopyButtonBesideTheSnippet()
    {
        await using var context = NewContext();
        var view = context.Render<CodeSnippet>(p => p.Add(f => f.Text, "curl -s http://x/api/user").Add(f => f.Label, "Copy the call"));

        Assert.Equal("curl -s http://x/api/user", view.Find("pre").TextContent);
        Assert.Single(view.FindAll("button[aria-label='Copy the call']"));
    }

    private static BunitContext NewContext()
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        return context;
    }
}
