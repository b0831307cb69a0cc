namespace Platform.Domain.Common;

public enum ErrorKind
{
    Validation,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,

    /// <summary>The plan does not cover it (a deployment over the monthly quota): 402.</summary>
    PaymentRequired,

    /// <summary>Too many attempts of something an attacker would repeat (card checks, code guesses): 429.</summary>
    TooManyAttempts,
}

/// <summary>
/// A rule the request broke, as the domain sees it. The host turns it into problem details in one place;
/// <see cref="Errors"/> holds per-field messages keyed by the field's JSON name.
/// </summary>
public sealed record DomainError(ErrorKind Kind, string Message, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static DomainError Validation(string field, string message) =>
        new(ErrorKind.Validation, "One or more fields are invalid.", new Dictionary<string, string[]> { [field] = [message] });

    public static DomainError Validation(IReadOnlyDictionary<string, string[]> errors) =>
        new(ErrorKind.Validation, "One or more fields are invalid.", errors);

    public static DomainError NotFound(string what) => new(ErrorKind.NotFound, $"{what} was not found.");

    public static DomainError Conflict(string message) => new(ErrorKind.Conflict, message);

    /// <summary>A conflict one field causes (a name already taken): the message also sits on the field, so a form marks it.</summary>
    public static DomainError Conflict(string field, string message) =>
        new(ErrorKind.Conflict, message, new Dictionary<string, string[]> { [field] = [message] });

    public static DomainError PaymentRequired(string message) => new(ErrorKind.PaymentRequired, message);

    /// <summary>Over an attempt limit; the message also sits on the field, so a form shows it where the user typed.</summary>
    public static DomainError TooManyAttempts(string field, string message) =>
        new(ErrorKind.TooManyAttempts, message, new Dictionary<string, string[]> { [field] = [message] });

    public static DomainError Unauthorized(string message) => new(ErrorKind.Unauthorized, message);

    public static DomainError Forbidden(string message) => new(ErrorKind.Forbidden, message);
}

/// <summary>Either a value or the <see cref="DomainError"/> that prevented it.</summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, DomainError? error)
    {
        _value = value;
        Error = error;
    }

    public DomainError? Error { get; }

    public bool IsSuccess => Error is null;

    public T Value => IsSuccess ? _value! : throw new InvalidOperationException($"No value: {Error!.Message}");

#pragma warning disable CA2225 // Services return a value or a DomainError; the conversions are the whole API.
    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(DomainError error) => new(default, error);
#pragma warning restore CA2225
}
