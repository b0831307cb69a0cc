namespace Platform.Domain.Common;

/// <summary>Encrypts secrets at rest with a key kept outside the database (the host decides where).</summary>
public interface ISecretProtector
{
    string Protect(string value);

    string Unprotect(string protectedValue);
}
