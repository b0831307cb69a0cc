namespace Platform.Domain.Databases;

/// <summary>Where the runtime's PostgreSQL server listens, as applications reach it.</summary>
public sealed record DatabaseServerAddress(string Host, int Port);
