using Platform.Domain.Common;

namespace Platform.Portal.Components.Common;

/// <summary>A domain error's per-field messages, for MudBlazor fields' Error and ErrorText.</summary>
public sealed class FieldErrors
{
    private IReadOnlyDictionary<string, string[]> _errors = new Dictionary<string, string[]>();

    public void Set(DomainError? error) => _errors = error?.Errors ?? new Dictionary<string, string[]>();

    public void Clear() => _errors = new Dictionary<string, string[]>();

    public bool Has(string field) => _errors.ContainsKey(field);

    public string? For(string field) => _errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;
}
