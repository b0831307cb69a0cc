using Npgsql;
using Platform.Portal.Infrastructure.Postgres;

namespace Platform.Tests.Infrastructure;

/// <summary>The portal's use of its connections (no reset on close, prepared statements), and what an operator's connection string keeps.</summary>
public sealed class ConnectionSettingsTests
{
    [Fact]
    public void Tuned_TurnsOffTheResetOnClose_AndPreparesRepeatedStatements()
    {
        var tuned = new NpgsqlConnectionStringBuilder(PlatformDatabase.Tuned("Host=db;Database=platform;Username=portal"));

        Assert.True(tuned.NoResetOnClose);
        Assert.True(tuned.MaxAutoPrepare > 0);
        Assert.Equal("db", tuned.Host);
    }

    [Fact]
    public void Tuned_KeepsWhatTheConfiguredConnectionStringSays()
    {
        var tuned = new NpgsqlConnectionStringBuilder(PlatformDatabase.Tuned("Host=db;Max Auto Prepare=0;No Reset On Close=false"));

        Assert.False(tuned.NoResetOnClose);
        Assert.Equal(0, tuned.MaxAutoPrepare);
    }
}
