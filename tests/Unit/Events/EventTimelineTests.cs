using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Platform.Domain.Common;
using Platform.Domain.Events;
using Platform.Domain.Services;
using Platform.Portal.Events;

namespace Platform.Tests.Events;

/// <summary>The timeline's filters: read from the page's address, handed to the list, written back, cleared from the empty state.</summary>
public sealed class EventTimelineTests
{
    [Fact]
    public async Task FiltersOfTheAddress_AreHandedToTheList_AndClearingOneWritesTheAddressBack()
    {
        await using var context = CreateContext();
        var deployment = Guid.NewGuid();
        var navigation = context.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo($"/application/{Guid.NewGuid()}?tab=events&deployment={deployment}&status=error");
        var asked = new List<TimelineFilter>();

        var view = context.Render<EventTimeline>(p => p.Add(t => t.Load, (query, filter) =>
        {
            asked.Add(filter);
            return Task.FromResult<Result<HistoryPage<EventView>>>(new HistoryPage<EventView>(1, query.Tail, 0, []));
        }));

        Assert.Equal(new TimelineFilter(deployment, SimpleState.Error), asked.Single());
        Assert.Contains("No event matches these filters.", view.Find("[data-testid='event-empty']").TextContent, StringComparison.Ordinal);
        await view.Find("[data-testid='event-empty'] button").ClickAsync(new MouseEventArgs());
        Assert.Equal(TimelineFilter.None, asked[^1]);
        var query = QueryHelpers.ParseQuery(new Uri(navigation.Uri).Query);
        Assert.Equal("events", query["tab"].ToString());
        Assert.False(query.ContainsKey("deployment") || query.ContainsKey("status"), navigation.Uri);
    }

    [Fact]
    public async Task AnUnreadableFilterInTheAddress_IsLeftOut()
    {
        await using var context = CreateContext();
        context.Services.GetRequiredService<NavigationManager>().NavigateTo("/environment/x?tab=events&deployment=42&status=warning");
        var asked = new List<TimelineFilter>();

        context.Render<EventTimeline>(p => p.Add(t => t.Load, (query, filter) =>
        {
            asked.Add(filter);
            return Task.FromResult<Result<HistoryPage<EventView>>>(new HistoryPage<EventView>(1, query.Tail, 0, []));
        }));

        Assert.Equal(new TimelineFilter(null, SimpleState.Warning), asked.Single());
    }

    private static BunitContext CreateContext()
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        return context;
    }
}
