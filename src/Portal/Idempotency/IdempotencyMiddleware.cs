using System.Security.Cryptography;
using Microsoft.AspNetCore.Mvc;
using Platform.Domain.Idempotency;

namespace Platform.Portal.Idempotency;

/// <summary>
/// Makes every API write (POST, PUT, PATCH, DELETE under <c>/api</c>) that carries an <c>Idempotency-Key</c> run at
/// most once per key and user for 24 hours: the first request runs and its answer is kept; a repeat of the same request
/// gets that answer again with <c>Idempotent-Replayed: true</c> and changes nothing. Answers the client may retry
/// (5xx, 429, failures) are not kept. See docs/decisions.md (issue 18, idempotency) for the choices.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next)
{
    public const string KeyHeader = "Idempotency-Key";

    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>An answer larger than this is not kept (no API write answers that much).</summary>
    public const int MaxStoredBodyBytes = 64 * 1024;

    /// <summary>The headers a replay repeats besides the status and body.</summary>
    private static readonly string[] KeptHeaders = ["Content-Type", "Content-Disposition", "Location", "ETag", "Last-Modified"];

    public async Task InvokeAsync(HttpContext context, IdempotencyService keys)
    {
        if (!IsWrite(context) || !context.Request.Headers.TryGetValue(KeyHeader, out var values))
        {
            await next(context);
            return;
        }

        if (values.Count != 1 || !IsValidKey(values[0]))
        {
            await WriteProblemAsync(context, StatusCodes.Status400BadRequest,
                $"The {KeyHeader} header must be sent once, with 1 to {IdempotencyKey.MaxKeyLength} printable ASCII characters.");
            return;
        }

        if (context.User.Identity?.IsAuthenticated != true)
        {
            await WriteProblemAsync(context, StatusCodes.Status400BadRequest,
                $"An {KeyHeader} belongs to the user who sends it: it needs an API token (Authorization: Bearer <token>).");
            return;
        }

        var key = values[0]!;
        var userId = context.User.GetUserId();
        var fingerprint = await FingerprintAsync(context);
        switch (await keys.ClaimAsync(userId, key, fingerprint, context.RequestAborted))
        {
            case IdempotencyClaim.Replay replay:
                await ReplayAsync(context, replay.Answer);
                return;
            case IdempotencyClaim.InProgress:
                context.Response.Headers.RetryAfter = "1";
                await WriteProblemAsync(context, StatusCodes.Status409Conflict,
                    $"A request with this {KeyHeader} is in progress. Retry once it has ended to get its answer.");
                return;
            case IdempotencyClaim.OverLimit:
                context.Response.Headers.RetryAfter = "3600";
                await WriteProblemAsync(context, StatusCodes.Status429TooManyRequests,
                    $"You sent {IdempotencyService.MaxKeysPerUser} {KeyHeader} values in the last 24 hours. Retry later, or without the header.");
                return;
            case IdempotencyClaim.Mismatch:
                await WriteProblemAsync(context, StatusCodes.Status422UnprocessableEntity,
                    $"This {KeyHeader} was used in the last 24 hours for another request (method, path, query or body). Send a new key with a new request.");
                return;
        }

        await RunAndKeepAsync(context, keys, userId, key);
    }

    private async Task RunAndKeepAsync(HttpContext context, IdempotencyService keys, Guid userId, string key)
    {
        var original = context.Response.Body;
        var recording = new RecordingStream(original, MaxStoredBodyBytes);
        context.Response.Body = recording;
        var kept = false;
        try
        {
            await next(context);
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
            var status = context.Response.StatusCode;
            if (IsKept(status) && !recording.Overflowed)
            {
                var headers = KeptHeaders
                    .Where(name => context.Response.Headers.ContainsKey(name))
                    .ToDictionary(name => name, name => context.Response.Headers[name].ToString(), StringComparer.OrdinalIgnoreCase);
                // Not the request's token: once the handler ran, the answer is kept even if the client went away.
                await keys.CompleteAsync(userId, key, new StoredAnswer(status, headers, recording.Recorded()), CancellationToken.None);
                kept = true;
            }
        }
        finally
        {
            context.Response.Body = original;
            if (!kept)
            {
                await keys.ReleaseAsync(userId, key, CancellationToken.None);
            }
        }
    }

    /// <summary>Kept: successes and the client's errors. Not kept: what a retry may change (5xx, 429 Too Many Requests).</summary>
    public static bool IsKept(int status) => status < 500 && status != StatusCodes.Status429TooManyRequests;

    public static bool IsValidKey(string? key) =>
        key is { Length: > 0 and <= IdempotencyKey.MaxKeyLength } && key.All(c => c is >= ' ' and <= '~');

    public static bool IsWrite(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    private static bool IsWrite(HttpContext context) =>
        context.GetEndpoint() is not null && context.Request.Path.StartsWithSegments("/api") && IsWrite(context.Request.Method);

    /// <summary>
    /// What makes two requests the same: method, path and query, the body's SHA-256, and the token's scope (an
    /// organization token's organization and role), so that a narrower token of the same user cannot read an answer
    /// a wider one got.
    /// </summary>
    private static async Task<string> FingerprintAsync(HttpContext context)
    {
        var request = context.Request;
        request.EnableBuffering();
        var body = await SHA256.HashDataAsync(request.Body, context.RequestAborted);
        request.Body.Position = 0;
        var scope = context.User.FindFirst(PlatformClaims.TokenOrganization) is { } organization
            ? $"{organization.Value} {context.User.FindFirst(PlatformClaims.TokenRole)?.Value}"
            : "personal";
        return $"{request.Method}\n{request.Path}{request.QueryString}\n{Convert.ToHexStringLower(body)}\n{scope}";
    }

    private static async Task ReplayAsync(HttpContext context, StoredAnswer answer)
    {
        var response = context.Response;
        response.StatusCode = answer.Status;
        foreach (var (name, value) in answer.Headers)
        {
            response.Headers[name] = value;
        }

        response.Headers[ReplayedHeader] = "true";
        if (answer.Body.Length > 0)
        {
            response.ContentLength = answer.Body.Length;
            await response.Body.WriteAsync(answer.Body, context.RequestAborted);
        }
    }

    private static async Task WriteProblemAsync(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Detail = detail },
        });
    }

    /// <summary>Passes an answer through to the client as it is written, keeping a copy of up to a limit.</summary>
    private sealed class RecordingStream(Stream inner, int limit) : Stream
    {
        private readonly MemoryStream _copy = new();

        public bool Overflowed { get; private set; }

        public byte[] Recorded() => _copy.ToArray();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Record(buffer);
            inner.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Record(buffer.Span);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _copy.Dispose();
            }

            base.Dispose(disposing);
        }

        private void Record(ReadOnlySpan<byte> buffer)
        {
            if (Overflowed)
            {
                return;
            }

            if (_copy.Length + buffer.Length > limit)
            {
                Overflowed = true;
                _copy.SetLength(0);
                return;
            }

            _copy.Write(buffer);
        }
    }
}
