using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Platform.Portal.Infrastructure;
using Platform.Portal.Infrastructure.Postgres;

var builder = WebApplication.CreateBuilder(args);
var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
if (ListenAddresses.FindTaken(urls) is { } taken)
{
    return PortInUse(taken);
}

builder.AddPortal();
var app = builder.Build();

var database = app.Services.GetRequiredService<PlatformDatabase>();
try
{
    await database.OpenAsync();
    await database.MigrateAsync(app.Services);
    await DemoData.SeedAsync(app.Services, app.Configuration, app.Logger);
    Platform.Portal.Infrastructure.Jobs.RecurringJobs.Register(app.Services);
    app.UsePortal();
    await app.RunAsync();
    return 0;
}
catch (Exception exception) when (exception is LocalPostgresException or InvalidSettingException)
{
    await Console.Error.WriteLineAsync($"error: {exception.Message}");
    return 1;
}
catch (IOException exception) when (exception.InnerException is AddressInUseException
    || exception.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
{
    // Taken between the check above and the bind.
    return PortInUse(urls ?? "the configured address");
}
finally
{
    await database.DisposeAsync();
}

static int PortInUse(string url)
{
    Console.Error.WriteLine($"error: the portal cannot listen on {url}: the port is already in use. Stop what uses it, or choose another address with PORTAL_URLS.");
    return 1;
}

/// <summary>Visible to the test host (WebApplicationFactory).</summary>
public partial class Program;
