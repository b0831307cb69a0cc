using Microsoft.AspNetCore.DataProtection;
using Platform.Domain.Common;

namespace Platform.Portal.Infrastructure;

/// <summary>Secrets encrypted with ASP.NET Core Data Protection, whose key ring lives in the data folder.</summary>
public sealed class DataProtectionSecretProtector(IDataProtectionProvider provider) : ISecretProtector
{
    private readonly IDataProtector _protector = provider.CreateProtector("Platform.Secrets.v1");

    public string Protect(string value) => _protector.Protect(value);

    public string Unprotect(string protectedValue) => _protector.Unprotect(protectedValue);
}
