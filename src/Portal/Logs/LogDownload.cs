using System.Text;
using Platform.Domain.Logs;

namespace Platform.Portal.Logs;

/// <summary>
/// The portal's text download of an application's logs for the logs tab's filters, with the portal's session and the
/// same access rule as the log API (another organization's application answers 404, a bad filter 400).
/// </summary>
public static class LogDownload
{
    public static IEndpointRouteBuilder MapLogDownload(this IEndpointRouteBuilder app)
    {
        app.MapGet("/application/{id:guid}/logs.txt", DownloadAsync).RequireAuthorization().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> DownloadAsync(Guid id, HttpRequest request, ApiCaller caller, LogService logs, CancellationToken cancellationToken)
    {
        var filter = LogQuery.Parse(request.Query);
        if (!filter.IsSuccess)
        {
            return filter.Error!.ToProblem();
        }

        var export = await logs.ExportForApplicationAsync(caller, id, filter.Value, cancellationToken);
        if (!export.IsSuccess)
        {
            return export.Error!.ToProblem();
        }

        // The lines are the application's own output, written by whoever deployed it: never read as a page of the
        // portal's origin (a line "<script>…" would run there), only saved. Private, so no cache keeps a copy.
        request.HttpContext.Response.Headers.XContentTypeOptions = "nosniff";
        request.HttpContext.Response.Headers.CacheControl = "private, no-store";
        return TypedResults.Stream(async body =>
        {
            await using var writer = new StreamWriter(body, new UTF8Encoding(false), bufferSize: 16 * 1024, leaveOpen: true);
            await foreach (var line in export.Value.Lines.WithCancellation(cancellationToken))
            {
                await writer.WriteAsync(LogExport.Format(line));
                await writer.WriteAsync('\n');
            }
        }, "text/plain; charset=utf-8", $"logs-{id}.txt");
    }
}
