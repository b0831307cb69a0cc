using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Platform.Tests.Billing.Cards;

/// <summary>
/// Stripe's API on a loopback port, answering the documented objects for the calls the gateway makes
/// (POST /v1/payment_methods, /v1/customers, /v1/payment_intents) and Stripe's documented card errors: the test
/// card 4000 0000 0000 0002 is declined when attached to a customer, 4000 0000 0000 9995 when charged.
/// </summary>
public sealed class StripeStub : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, string> _cards = new();
    private readonly ConcurrentDictionary<string, (int Status, string Body)> _idempotent = new();
    private WebApplication? _app;
    private int _next;

    public ConcurrentQueue<(string Path, string? IdempotencyKey, string? Authorization)> Requests { get; } = new();

    public Uri Address { get; private set; } = null!;

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapPost("/v1/payment_methods", PaymentMethod);
        _app.MapPost("/v1/customers", Customer);
        _app.MapPost("/v1/payment_intents", PaymentIntent);
        await _app.StartAsync();
        Address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    private async Task<IResult> PaymentMethod(HttpRequest request)
    {
        var form = await Record(request);
        var id = $"pm_{Interlocked.Increment(ref _next)}";
        var number = form["card[number]"].ToString();
        _cards[id] = number;
        return Json(200, new JsonObject
        {
            ["id"] = id,
            ["object"] = "payment_method",
            ["type"] = "card",
            ["livemode"] = false,
            ["created"] = 1_764_547_200,
            ["customer"] = null,
            ["card"] = new JsonObject
            {
                ["brand"] = number.StartsWith('4') ? "visa" : "mastercard",
                ["last4"] = number[^4..],
                ["exp_month"] = int.Parse(form["card[exp_month]"].ToString(), System.Globalization.CultureInfo.InvariantCulture),
                ["exp_year"] = int.Parse(form["card[exp_year]"].ToString(), System.Globalization.CultureInfo.InvariantCulture),
                ["funding"] = "credit",
                ["country"] = "US",
            },
        });
    }

    private async Task<IResult> Customer(HttpRequest request)
    {
        var form = await Record(request);
        var method = form["payment_method"].ToString();
        if (_cards.TryGetValue(method, out var number) && number.EndsWith("0002", StringComparison.Ordinal))
        {
            return CardError("card_declined", "generic_decline", "Your card was declined.", paymentIntent: null);
        }

        return Json(200, new JsonObject
        {
            ["id"] = $"cus_{Interlocked.Increment(ref _next)}",
            ["object"] = "customer",
            ["livemode"] = false,
            ["created"] = 1_764_547_200,
            ["invoice_settings"] = new JsonObject { ["default_payment_method"] = method },
        });
    }

    private async Task<IResult> PaymentIntent(HttpRequest request)
    {
        var form = await Record(request);
        var key = request.Headers["Idempotency-Key"].ToString();
        // Stripe answers a repeated idempotency key with the first answer, whatever happened since.
        var (status, body) = _idempotent.GetOrAdd(key, _ =>
        {
            var id = $"pi_{Interlocked.Increment(ref _next)}";
            var intent = new JsonObject
            {
                ["id"] = id,
                ["object"] = "payment_intent",
                ["amount"] = long.Parse(form["amount"].ToString(), System.Globalization.CultureInfo.InvariantCulture),
                ["currency"] = form["currency"].ToString(),
                ["customer"] = form["customer"].ToString(),
                ["payment_method"] = form["payment_method"].ToString(),
                ["livemode"] = false,
                ["created"] = 1_764_547_200,
            };
            if (_cards.TryGetValue(form["payment_method"].ToString(), out var number) && number.EndsWith("9995", StringComparison.Ordinal))
            {
                intent["status"] = "requires_payment_method";
                return (402, ErrorBody("card_declined", "insufficient_funds", "Your card has insufficient funds.", intent).ToJsonString());
            }

            intent["status"] = "succeeded";
            return (200, intent.ToJsonString());
        });
        return Results.Text(body, "application/json", statusCode: status);
    }

    private async Task<IFormCollection> Record(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        Requests.Enqueue((request.Path, request.Headers["Idempotency-Key"].FirstOrDefault(), request.Headers.Authorization.FirstOrDefault()));
        return form;
    }

    private static JsonObject ErrorBody(string code, string declineCode, string message, JsonObject? paymentIntent) => new()
    {
        ["error"] = new JsonObject
        {
            ["type"] = "card_error",
            ["code"] = code,
            ["decline_code"] = declineCode,
            ["message"] = message,
            ["doc_url"] = $"https://stripe.com/docs/error-codes/{code}",
            ["payment_intent"] = paymentIntent,
        },
    };

    private static IResult CardError(string code, string declineCode, string message, JsonObject? paymentIntent) =>
        Json(402, ErrorBody(code, declineCode, message, paymentIntent));

    private static IResult Json(int status, JsonObject body) => Results.Text(body.ToJsonString(), "application/json", statusCode: status);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
