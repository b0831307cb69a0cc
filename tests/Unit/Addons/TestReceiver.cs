using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Platform.Tests.Deployments;

namespace Platform.Tests.Addons;

/// <summary>One request a receiver took, as it came.</summary>
public sealed record ReceivedRequest(string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset At)
{
    public JsonDocument Json => JsonDocument.Parse(Body);

    public string? Event => Headers.GetValueOrDefault("X-Platform-Event");
}

/// <summary>
/// A real HTTP receiver on a loopback port (Kestrel), started by a test: it keeps each request and answers as told
/// (200 by default). What it is told to do is attacker-shaped on purpose: fail, hang, redirect, echo.
/// </summary>
public sealed class TestReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _holding;

    private TestReceiver(Func<ReceivedRequest, HttpContext, CancellationToken, Task>? answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var request = new ReceivedRequest(context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body, DateTimeOffset.UtcNow);
            _requests.Enqueue(request);
            if (answer is not null)
            {
                await answer(request, context, _stopping.Token);
            }
        });
    }

    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    /// <summary>Requests it holds open now (a hanging receiver).</summary>
    public int Holding => Volatile.Read(ref _holding);

    public Uri BaseAddress { get; private set; } = null!;

    public Uri Url(string path) => new(BaseAddress, path);

    public static async Task<TestReceiver> StartAsync(Func<ReceivedRequest, HttpContext, CancellationToken, Task>? answer = null)
    {
        var receiver = new TestReceiver(answer);
        await receiver._app.StartAsync();
        receiver.BaseAddress = new Uri(receiver._app.Urls.First());
        return receiver;
    }

    /// <summary>A receiver that answers every request with this status.</summary>
    public static Task<TestReceiver> AnsweringAsync(int status, string body = "") => StartAsync(async (_, context, stopping) =>
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsync(body, stopping);
    });

    /// <summary>A receiver that holds every request open until the client gives up or the receiver stops.</summary>
    public static Task<TestReceiver> HangingAsync()
    {
        TestReceiver? self = null;
        var started = StartAsync(async (_, context, stopping) =>
        {
            Interlocked.Increment(ref self!._holding);
            try
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(stopping, context.RequestAborted);
                await Task.Delay(Timeout.Infinite, either.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            finally
            {
                Interlocked.Decrement(ref self!._holding);
            }
        });
        return started.ContinueWith(t => self = t.Result, TaskScheduler.Default);
    }

    /// <summary>Waits until it took a request that satisfies the condition.</summary>
    public Task<ReceivedRequest> WaitForAsync(Func<ReceivedRequest, bool> match, string what, TimeSpan? timeout = null) =>
        Poll.UntilAsync(() => Task.FromResult(Requests.FirstOrDefault(match)), r => r is not null, what, timeout)!;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}

/// <summary>What a receiver does with <c>X-Platform-Signature</c>, as the README shows it: recompute, compare in constant time, bound the age.</summary>
public static class WebhookVerifier
{
    public static bool Verify(string? header, string body, string signingSecret, DateTimeOffset now, TimeSpan tolerance)
    {
        var parts = (header ?? "").Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1) || !long.TryParse(t, out var seconds))
        {
            return false;
        }

        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > tolerance)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), Encoding.UTF8.GetBytes($"{t}.{body}"));
        return CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(v1.Length % 2 == 0 ? v1 : "0" + v1));
    }
}
