namespace Platform.Domain.Common;

/// <summary>A message to one recipient. Only plain data: it is queued in PostgreSQL until it is sent.</summary>
public sealed record OutgoingMail(string To, string Subject, string TextBody);

/// <summary>Hands mail to the host, which sends it in the background with retries.</summary>
public interface IMailQueue
{
    Task EnqueueAsync(OutgoingMail mail);
}
