using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Platform.Portal.Infrastructure;
using Platform.Portal.Infrastructure.Postgres;

var builder = WebApplication.CreateBuilder(args);
builder.AddPortal();
var app = builder.Build();

var database = app.Services.GetRequiredService<PlatformDatabase>();
try
{
    await database.OpenAsync();
    await database.MigrateAsync(app.Services);
    await DemoData.SeedAsync(app.Services, app.Configuration, app.Logger);
    app.UsePortal();
    await app.RunAsync();
    return 0;
}
catch (LocalPostgresException exception)
{
    await Console.Error.WriteLineAsync($"error: {exception.Message}");
    return 1;
}
catch (IOException exception) when (exception.InnerException is AddressInUseException
    || exception.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
{
    var urls = string.Join(", ", app.Urls.DefaultIfEmpty(app.Configuration["urls"] ?? "the configured address"));
    await Console.Error.WriteLineAsync(
        $"error: the portal cannot listen on {urls}: the port is already in use. Stop what uses it, or choose another address with PORTAL_URLS.");
    return 1;
}
finally
{
    await database.DisposeAsync();
}

/// <summary>Visible to the test host (WebApplicationFactory).</summary>
public partial class Program;
