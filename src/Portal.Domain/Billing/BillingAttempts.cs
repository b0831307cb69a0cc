using System.Collections.Concurrent;
using Platform.Domain.Access;
using Platform.Domain.Common;

namespace Platform.Domain.Billing;

/// <summary>What an attempt limit counts: each is something a fraudster repeats.</summary>
public enum BillingAttempt
{
    /// <summary>A card handed to the gateway (card testing: checking stolen numbers through our form).</summary>
    CardCheck,

    /// <summary>A credit code tried (guessing codes).</summary>
    CodeRedemption,
}

/// <summary>
/// Caps card checks and code guesses per organization and per user within a sliding hour, for the pages and the API
/// alike (an address limit would miss the pages, which talk over one circuit). Counts live in this process: a
/// restart forgets them, which costs an attacker a restart, not the limit's point.
/// </summary>
public sealed class BillingAttempts(TimeProvider clock)
{
    public const int PerHour = 10;

    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<(BillingAttempt, Guid), Queue<DateTimeOffset>> _taken = new();

    /// <summary>Takes one attempt for the organization and the caller, or answers a 429 naming the field and when to retry.</summary>
    public DomainError? Take(BillingAttempt attempt, Guid organizationId, Caller caller, string field)
    {
        var now = clock.GetUtcNow();
        lock (_taken)
        {
            var organization = _taken.GetOrAdd((attempt, organizationId), _ => new Queue<DateTimeOffset>());
            var user = _taken.GetOrAdd((attempt, caller.UserId), _ => new Queue<DateTimeOffset>());
            var retryAt = new[] { organization, user }.Select(q => Full(q, now)).Max();
            if (retryAt is { } at)
            {
                var minutes = Math.Max(1, (int)Math.Ceiling((at - now).TotalMinutes));
                return DomainError.TooManyAttempts(field, attempt == BillingAttempt.CardCheck
                    ? $"Too many cards were tried in the last hour. Try again in {minutes} minute{(minutes == 1 ? "" : "s")}."
                    : $"Too many credit codes were tried in the last hour. Try again in {minutes} minute{(minutes == 1 ? "" : "s")}.");
            }

            organization.Enqueue(now);
            user.Enqueue(now);
            Prune(now);
            return null;
        }
    }

    /// <summary>Now and then, forgets the organizations and users whose attempts all left the window, so the counts stay small.</summary>
    private void Prune(DateTimeOffset now)
    {
        if (_taken.Count < 1_000)
        {
            return;
        }

        foreach (var (key, taken) in _taken)
        {
            if (Full(taken, now) is null && taken.Count == 0)
            {
                _taken.TryRemove(key, out _);
            }
        }
    }

    /// <summary>When the queue frees a place again, if it is full now; drops what left the window.</summary>
    private static DateTimeOffset? Full(Queue<DateTimeOffset> taken, DateTimeOffset now)
    {
        while (taken.TryPeek(out var oldest) && oldest <= now - Window)
        {
            taken.Dequeue();
        }

        return taken.Count >= PerHour ? taken.Peek() + Window : null;
    }
}
